package org.jioth.dns;

import java.io.IOException;

/** A DNS message that does not parse; the message says which part is wrong. */
public final class DnsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public DnsFormatException(String message) {
        super(message);
    }
}
