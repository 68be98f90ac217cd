package org.jioth.dns;

/**
 * One resource record of an answer, reduced to what a stub resolver uses: the owner name, the type,
 * the TTL in seconds and either the address bytes (A, AAAA) or a target name (CNAME, PTR).
 */
public record DnsRecord(String name, int type, long ttl, byte[] address, String target) {
}
