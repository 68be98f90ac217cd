package org.jioth.jnet.tcp;

/** Why a connection ended abnormally; channels turn these into the JDK's exceptions. */
public enum TcpError {
    /** RST in answer to our SYN (ECONNREFUSED). */
    REFUSED("Connection refused"),
    /** RST on a synchronized connection (ECONNRESET). */
    RESET("Connection reset"),
    /** Retransmissions or keep-alive probes ran out (ETIMEDOUT). */
    TIMED_OUT("Connection timed out"),
    /** ICMP said the peer cannot be reached (EHOSTUNREACH). */
    UNREACHABLE("No route to host"),
    /** We aborted it (SO_LINGER 0, close with unread data, stack closed). */
    ABORTED("Connection aborted");

    private final String message;

    TcpError(String message) {
        this.message = message;
    }

    /** The JDK's wording for this error. */
    public String message() {
        return message;
    }
}
