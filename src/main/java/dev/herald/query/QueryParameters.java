package dev.herald.query;

import dev.herald.store.SqlParameters;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The first step of a read: the path's and the query string's parameters (platform-http makes both headers) as
 * the body a {@code sql:} step reads its {@code :#name} parameters from; a parameter the request leaves out is NULL,
 * so {@code coalesce(:#limit, 100)} gives defaults. camel-sql alone would refuse the statement.
 */
public final class QueryParameters implements Processor {

    @Override
    public void process(Exchange exchange) {
        exchange.getIn().setBody(new SqlParameters(exchange.getIn().getHeaders()));
    }
}
