package dev.herald.store;

import java.sql.Connection;
import javax.sql.DataSource;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.Policy;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@code policy: {ref: <name>, steps: [...]}}: the steps inside run in one database transaction, committed when they
 * succeeded and rolled back when one failed; camel-sql's JdbcTemplate joins it (the connection is bound to the
 * thread, as the lanes and projections bind theirs). Camel's own {@code transacted} needs camel-spring and a Spring
 * transaction manager, which Herald does not otherwise carry. The steps must stay on the calling thread: a
 * {@code kafka:} step inside says {@code synchronous: true}.
 */
public final class TransactionPolicy implements Policy {

    private final DataSource dataSource;

    public TransactionPolicy(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare: the steps keep the route's error handler
    }

    @Override
    public Processor wrap(Route route, Processor steps) {
        return exchange -> {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                TransactionSynchronizationManager.bindResource(dataSource, new ConnectionHolder(connection));
                try {
                    steps.process(exchange);
                    if (exchange.getException() == null) {
                        connection.commit();
                    } else {
                        connection.rollback();
                    }
                } catch (Exception | Error e) {
                    connection.rollback();
                    throw e;
                } finally {
                    TransactionSynchronizationManager.unbindResource(dataSource);
                    connection.setAutoCommit(true);
                }
            }
        };
    }
}
