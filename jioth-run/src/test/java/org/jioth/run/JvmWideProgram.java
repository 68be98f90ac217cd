package org.jioth.run;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import org.jioth.Ioth;

/**
 * A program that knows nothing of jioth (run in a child JVM by {@link JvmWideStackTest}): it talks
 * to "server" port 5000 with a SocketChannel and a java.net.Socket, then accepts one connection on
 * a java.net.ServerSocket it asked the server to call back, then a java.net.DatagramSocket round trip to port 5001.
 */
public final class JvmWideProgram {
    public static void main(String[] args) throws Exception {
        System.out.println("provider " + SelectorProvider.provider().getClass().getName());
        System.out.println("default stack is the JVM stack " + (Ioth.defaultStack() == JvmStack.get()));
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("server", 5000))) {
            ch.write(ByteBuffer.wrap("nio\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(64);
            while (in.position() < 4 && ch.read(in) >= 0) {
                // until the echo is back
            }
            System.out.println("nio echo " + new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).strip());
        }
        try (ServerSocket listener = new ServerSocket(6000);
             Socket s = new Socket("server", 5000)) {
            PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.US_ASCII);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out.println("socket");
            System.out.println("socket echo " + in.readLine() + " from " + s.getInetAddress().getHostAddress());
            out.println("CALLBACK 6000");
            try (Socket back = listener.accept()) {
                System.out.println("accepted " + new String(back.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                        + " from " + back.getInetAddress().getHostAddress());
                OutputStream o = back.getOutputStream();
                o.flush();
            }
        }
        try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
            udp.setSoTimeout(20_000);
            byte[] msg = "udp".getBytes(StandardCharsets.US_ASCII);
            udp.send(new java.net.DatagramPacket(msg, msg.length, new InetSocketAddress("server", 5001)));
            java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[100], 100);
            udp.receive(in);
            System.out.println("udp echo " + new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII)
                    + " from " + in.getAddress().getHostAddress() + " to local port " + (udp.getLocalPort() > 0));
        }
        try (SocketChannel unix = SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            System.out.println("unix channel from " + unix.provider().getClass().getName());
        }
        try (java.nio.channels.AsynchronousSocketChannel a = java.nio.channels.AsynchronousSocketChannel.open()) {
            System.out.println("async opened " + a);
        } catch (UnsupportedOperationException e) {
            System.out.println("async refused: " + e.getMessage());
        }
        System.out.println("done");
    }
}
