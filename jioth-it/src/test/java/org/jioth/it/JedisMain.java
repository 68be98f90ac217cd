package org.jioth.it;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import redis.clients.jedis.Jedis;

/** An ordinary Jedis program (its default sockets, plain java.net): args host port count; sets values, reads them back. */
public final class JedisMain {
    private JedisMain() {
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[2]);
        try (Jedis jedis = new Jedis(args[0], Integer.parseInt(args[1]))) {
            for (int i = 0; i < n; i++) {
                jedis.set(("k:" + i).getBytes(StandardCharsets.UTF_8), Bytes.random(1 + i % 700, i));
            }
            for (int i = 0; i < n; i++) {
                byte[] got = jedis.get(("k:" + i).getBytes(StandardCharsets.UTF_8));
                if (!Arrays.equals(got, Bytes.random(1 + i % 700, i))) {
                    throw new AssertionError("value " + i + " came back different");
                }
            }
            System.out.println("verified " + n + " values, dbsize " + jedis.dbSize());
            System.out.println("redis sees " + jedis.clientList());
        }
    }
}
