package org.jioth.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A program that knows nothing of jioth: a java.net.Socket client that sends one line and prints the answer. */
public final class PlainSocketClient {
    public static void main(String[] args) throws Exception {
        try (Socket s = new Socket(args[0], Integer.parseInt(args[1]))) {
            PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.US_ASCII);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out.println("hello from a plain socket");
            System.out.println("answer: " + in.readLine() + " (local " + s.getLocalAddress().getHostAddress() + ")");
        }
        System.exit(Integer.parseInt(args[2]));
    }
}
