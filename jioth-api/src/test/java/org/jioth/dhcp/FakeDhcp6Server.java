package org.jioth.dhcp;

import java.io.ByteArrayOutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Function;

/**
 * A scripted DHCPv6 server behind a {@link Dhcp6Link} on a manual clock: every message the client
 * sends is recorded (time, destination, parsed) and handed to a script that returns the replies
 * with their delays; a receive advances the clock to the next reply or to the deadline. No
 * threads, no real time.
 */
final class FakeDhcp6Server {
    static final InetSocketAddress SERVER = new InetSocketAddress(InetAddress.ofLiteral("fe80::1"), 547);
    static final byte[] SERVER_DUID = {0, 3, 0, 1, 2, 0, 0, 0, 0, 1};

    /** A message the client sent. */
    record Sent(Instant at, InetSocketAddress to, byte[] raw, Dhcp6Message.Parsed parsed) {
        int type() {
            return parsed.type();
        }
    }

    /** A reply and its delay after the client's message. */
    record Reply(byte[] data, Duration delay, InetSocketAddress from) {
        Reply(byte[] data, Duration delay) {
            this(data, delay, SERVER);
        }
    }

    private record Pending(Instant at, long seq, Reply reply) {
    }

    static final class Clock implements InstantSource {
        Instant now = Instant.parse("2026-12-05T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }
    }

    final Clock clock = new Clock();
    final List<Sent> sent = new ArrayList<>();
    int opened;
    int closed;
    private final int iaid;
    private Function<Sent, List<Reply>> script = s -> List.of();
    private final PriorityQueue<Pending> queue = new PriorityQueue<>(
            Comparator.comparing(Pending::at).thenComparingLong(Pending::seq));
    private long seq;

    FakeDhcp6Server(int iaid) {
        this.iaid = iaid;
    }

    void script(Function<Sent, List<Reply>> s) {
        script = s;
    }

    List<Sent> sent(int type) {
        return sent.stream().filter(s -> s.type() == type).toList();
    }

    Dhcp6Link.Opener opener() {
        return () -> {
            opened++;
            queue.clear(); // a new socket does not see what was sent to the old one
            return new Dhcp6Link() {
                @Override
                public void send(byte[] message, InetSocketAddress to) {
                    Sent s = new Sent(clock.now, to, message, Dhcp6Message.parse(message, message.length, iaid));
                    sent.add(s);
                    for (Reply r : script.apply(s)) {
                        queue.add(new Pending(clock.now.plus(r.delay()), seq++, r));
                    }
                }

                @Override
                public Datagram receive(Instant deadline) {
                    Pending p = queue.peek();
                    if (p != null && !p.at().isAfter(deadline)) {
                        queue.poll();
                        if (p.at().isAfter(clock.now)) {
                            clock.now = p.at();
                        }
                        return new Datagram(p.reply().data(), p.reply().data().length, p.reply().from());
                    }
                    if (deadline.isAfter(clock.now)) {
                        clock.now = deadline;
                    }
                    return null;
                }

                @Override
                public void close() {
                    closed++;
                }
            };
        };
    }

    /** Builds a server message. */
    static final class Msg {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Msg(int type, int xid) {
            b.write(type);
            b.write(xid >> 16);
            b.write(xid >> 8);
            b.write(xid);
        }

        /** A reply to {@code s}: its xid and client id, our server id. */
        static Msg to(int type, Sent s) {
            return new Msg(type, s.parsed().xid()).opt(Dhcp6Message.OPT_CLIENTID, s.parsed().clientId())
                    .opt(Dhcp6Message.OPT_SERVERID, SERVER_DUID);
        }

        Msg opt(int code, byte[] data) {
            b.write(code >> 8);
            b.write(code);
            b.write(data.length >> 8);
            b.write(data.length);
            b.writeBytes(data);
            return this;
        }

        Msg ia(int iaid, long t1, long t2, String addr, long preferred, long valid) {
            ByteArrayOutputStream ia = new ByteArrayOutputStream();
            ia.writeBytes(u32(iaid));
            ia.writeBytes(u32(t1));
            ia.writeBytes(u32(t2));
            if (addr != null) {
                ByteArrayOutputStream a = new ByteArrayOutputStream();
                a.writeBytes(InetAddress.ofLiteral(addr).getAddress());
                a.writeBytes(u32(preferred));
                a.writeBytes(u32(valid));
                byte[] ad = a.toByteArray();
                ia.writeBytes(new byte[] {0, 5, (byte) (ad.length >> 8), (byte) ad.length});
                ia.writeBytes(ad);
            }
            return opt(Dhcp6Message.OPT_IA_NA, ia.toByteArray());
        }

        Msg iaStatus(int iaid, int status) {
            ByteArrayOutputStream ia = new ByteArrayOutputStream();
            ia.writeBytes(u32(iaid));
            ia.writeBytes(new byte[8]);
            ia.writeBytes(new byte[] {0, 13, 0, 2, (byte) (status >> 8), (byte) status});
            return opt(Dhcp6Message.OPT_IA_NA, ia.toByteArray());
        }

        Msg dns(String... servers) {
            ByteArrayOutputStream d = new ByteArrayOutputStream();
            for (String s : servers) {
                d.writeBytes(InetAddress.ofLiteral(s).getAddress());
            }
            return opt(Dhcp6Message.OPT_DNS_SERVERS, d.toByteArray());
        }

        Msg domains(String... names) {
            ByteArrayOutputStream d = new ByteArrayOutputStream();
            for (String n : names) {
                d.writeBytes(Dhcp6Message.dnsName(n));
            }
            return opt(Dhcp6Message.OPT_DOMAIN_LIST, d.toByteArray());
        }

        Msg preference(int p) {
            return opt(Dhcp6Message.OPT_PREFERENCE, new byte[] {(byte) p});
        }

        Msg rapidCommit() {
            return opt(Dhcp6Message.OPT_RAPID_COMMIT, new byte[0]);
        }

        Msg unicast(String addr) {
            return opt(Dhcp6Message.OPT_UNICAST, InetAddress.ofLiteral(addr).getAddress());
        }

        byte[] bytes() {
            return b.toByteArray();
        }

        Reply after(long millis) {
            return new Reply(bytes(), Duration.ofMillis(millis));
        }

        static byte[] u32(long v) {
            return new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
        }
    }

    static Inet6Address v6(String s) {
        return (Inet6Address) InetAddress.ofLiteral(s);
    }
}
