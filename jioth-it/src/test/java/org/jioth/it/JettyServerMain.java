package org.jioth.it;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/** An ordinary Jetty 12 server: GET /blob answers {@code Bytes.random(size, seed)}, POST /echo the body. Args: port size seed. */
public final class JettyServerMain {
    private JettyServerMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        byte[] blob = Bytes.random(Integer.parseInt(args[1]), Long.parseLong(args[2]));
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                byte[] body;
                if (request.getMethod().equals("GET") && path.equals("/blob")) {
                    body = blob;
                } else if (request.getMethod().equals("POST") && path.equals("/echo")) {
                    body = Content.Source.asInputStream(request).readAllBytes();
                } else {
                    return false; // Jetty answers 404
                }
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
        server.start();
        System.out.println("ready on port " + connector.getLocalPort());
        server.join();
    }
}
