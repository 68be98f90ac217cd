package org.jioth.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** An ordinary JDK HttpClient program: downloads URL to FILE for each pair of arguments; exit 0 when every answer was 200. */
public final class HttpClientMain {
    private HttpClientMain() {
    }

    public static void main(String[] args) throws Exception {
        int failures = 0;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build()) {
            for (int i = 0; i + 1 < args.length; i += 2) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(args[i])).timeout(Duration.ofSeconds(30)).build();
                HttpResponse<Path> response = client.send(request, HttpResponse.BodyHandlers.ofFile(Path.of(args[i + 1])));
                System.out.println(args[i] + " -> " + response.statusCode() + " " + response.version());
                if (response.statusCode() != 200) {
                    failures++;
                }
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
