package dev.thaw.node.http;

import java.net.InetSocketAddress;

/** Where a Thaw HTTP API listens, from a {@code --listen=HOST:PORT} option (IPv6 hosts in brackets). */
public record ListenAddress(String host, int port) {

    /**
     * @param example shown in the error, e.g. {@code 0.0.0.0:7070}
     * @throws IllegalArgumentException naming the option and the text when it is not HOST:PORT with a port 0..65535
     */
    public static ListenAddress parse(String text, String example) {
        int colon = text.lastIndexOf(':');
        String host = colon <= 0 ? "" : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            // reported below
        }
        if (host.isEmpty() || port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen must be HOST:PORT with a port 0..65535, e.g. " + example
                    + ", got '" + text + "'");
        }
        return new ListenAddress(host, port);
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }
}
