package dev.herald.cdc;

import java.net.URI;

/** The PostgreSQL the CDC sources read, as a JDBC URL and as the host, port and database Debezium is given. */
record CdcDatabase(String jdbcUrl, String user, String password) {

    String host() {
        return uri().getHost();
    }

    int port() {
        return uri().getPort() < 0 ? 5432 : uri().getPort();
    }

    String name() {
        String path = uri().getPath();
        return path == null || path.length() <= 1 ? "postgres" : path.substring(1);
    }

    private URI uri() {
        return URI.create(jdbcUrl.substring("jdbc:".length()));
    }
}
