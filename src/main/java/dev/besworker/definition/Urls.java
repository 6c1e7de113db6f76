package dev.besworker.definition;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** The http(s) URL rules of definitions: what counts as a URL, and which hosts are this machine. */
final class Urls {

    private Urls() {
    }

    /** The value as an http(s) URI with a host, or null. */
    static URI httpUri(String value) {
        try {
            URI uri = new URI(value.strip());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null || uri.getHost().isEmpty()) {
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Whether the host is written as this machine: localhost, 127.x.x.x or [::1] (names are not resolved). */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        // 127.0.0.0/8, written as a dotted quad (a name is not resolved: DNS could say anything).
        String[] octets = h.split("\\.", -1);
        if (octets.length != 4 || !octets[0].equals("127")) {
            return false;
        }
        for (String octet : octets) {
            if (!octet.matches("\\d{1,3}") || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }
}
