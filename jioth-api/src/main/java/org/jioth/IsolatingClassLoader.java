package org.jioth;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * A child-first class loader: classes found in its own URLs are defined here, even when the parent
 * could load them too, so a plug-in's statics are private to the stack that loaded it (the Java
 * counterpart of dlmopen's fresh link-map namespace). The jioth API and the platform always come
 * from the parent, so the plug-in and the program agree on {@link IothStack} and the SPI types.
 */
final class IsolatingClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    IsolatingClassLoader(String name, URL[] urls, ClassLoader parent) {
        super(name, urls, parent);
    }

    @Override
    protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
        if (alwaysShared(className)) {
            return super.loadClass(className, resolve);
        }
        synchronized (getClassLoadingLock(className)) {
            Class<?> c = findLoadedClass(className);
            if (c == null) {
                try {
                    c = findClass(className);
                } catch (ClassNotFoundException notOurs) {
                    return super.loadClass(className, resolve);
                }
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    public URL getResource(String resourceName) {
        URL own = findResource(resourceName);
        return own != null ? own : super.getResource(resourceName);
    }

    private static boolean alwaysShared(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || isApiClass(className);
    }

    /** Classes of the jioth-api packages (org.jioth, org.jioth.spi, org.jioth.nio). */
    private static boolean isApiClass(String className) {
        if (!className.startsWith("org.jioth.")) {
            return false;
        }
        String pkg = className.substring(0, className.lastIndexOf('.'));
        return pkg.equals("org.jioth") || pkg.equals("org.jioth.spi") || pkg.equals("org.jioth.nio");
    }
}
