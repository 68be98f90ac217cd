package org.jioth;

import java.io.IOException;

/** A plug-in's licence does not allow it to be loaded by this program (libioth's EPERM). */
public class LicenseException extends IOException {
    public LicenseException(String message) {
        super(message);
    }
}
