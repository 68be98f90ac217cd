package org.jioth.it;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/** An ordinary Vert.x 5 HTTP server: GET /blob answers {@code Bytes.random(size, seed)}, POST /echo the body. Args: port size seed. */
public final class VertxServerMain {
    private VertxServerMain() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Buffer blob = Buffer.buffer(Bytes.random(Integer.parseInt(args[1]), Long.parseLong(args[2])));
        Vertx.vertx().createHttpServer()
                .requestHandler(req -> {
                    if (req.method() == HttpMethod.GET && req.path().equals("/blob")) {
                        req.response().end(blob);
                    } else if (req.method() == HttpMethod.POST && req.path().equals("/echo")) {
                        req.body().onSuccess(body -> req.response().end(body))
                                .onFailure(e -> req.response().setStatusCode(500).end(e.toString()));
                    } else {
                        req.response().setStatusCode(404).end();
                    }
                })
                .listen(port)
                .onSuccess(s -> System.out.println("ready on port " + s.actualPort()))
                .onFailure(e -> {
                    e.printStackTrace();
                    System.exit(1);
                });
    }
}
