package dev.herald.bridge.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * SSRF guard: only http(s) URLs, and (unless allowed) no host that resolves to a loopback, private,
 * link-local (cloud metadata), carrier-grade NAT, unique-local, multicast or unspecified address. Checked
 * when an endpoint is declared and again before every send, so a name re-pointed later (DNS rebinding) is
 * refused too.
 */
final class TargetGuard {

    private final boolean allowPrivateNetworks;
    private final Set<String> allowedHosts;

    TargetGuard(boolean allowPrivateNetworks, Set<String> allowedHosts) {
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.allowedHosts = allowedHosts;
    }

    /** Throws {@link RefusedTarget} when the URL may not be called. */
    void check(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RefusedTarget("only http and https URLs are allowed, not " + url);
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            throw new RefusedTarget("the URL has no host: " + url);
        }
        if (url.getUserInfo() != null) {
            throw new RefusedTarget("credentials in the URL are not allowed; use custom headers");
        }
        if (!resolves(url)) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new RefusedTarget("the host " + host + " does not resolve");
        }
        for (InetAddress address : addresses) {
            if (isInternal(address)) {
                throw new RefusedTarget(host + " resolves to " + address.getHostAddress()
                        + ", an internal address (herald.webhooks.allow-private-networks / allowed-hosts)");
            }
        }
    }

    /** Whether {@link #check} resolves the URL's host (a lookup that may block) rather than allowing it as is. */
    boolean resolves(URI url) {
        String host = url.getHost();
        return !allowPrivateNetworks && (host == null || !allowedHosts.contains(host.toLowerCase(Locale.ROOT)));
    }

    static boolean isInternal(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = bytes[0] & 0xff;
            int second = bytes[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128) // carrier-grade NAT
                    || (first == 198 && (second == 18 || second == 19)) || first >= 240;
        }
        if (address instanceof Inet6Address) {
            return (bytes[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        return false;
    }

    /** A URL the hub will not call. */
    static final class RefusedTarget extends RuntimeException {
        RefusedTarget(String message) {
            super(message);
        }
    }
}
