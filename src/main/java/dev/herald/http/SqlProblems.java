package dev.herald.http;

import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Turns a database refusal into the problem a client can act on, by SQLSTATE class. */
public final class SqlProblems {

    // PostgreSQL's detail of a foreign-key refusal: Key (customer_id)=(c-1) is still referenced from ...
    private static final Pattern KEY = Pattern.compile("Key \\((.+?)\\)=\\((.*)\\) is ");

    private SqlProblems() {
    }

    public static RuntimeException of(SQLException e, int retryAfterSeconds) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String detail = describe(e);
        if (state.equals("23505")) {
            return Problem.conflict("conflict", "conflicts with existing data: " + detail);
        }
        if (state.equals("23503")) {
            return detail != null && detail.contains("still referenced")
                    ? Problem.conflict("still-referenced", referenceProblem(e, true))
                    : Problem.unprocessable("unknown-reference", referenceProblem(e, false));
        }
        if (state.startsWith("23")) {
            return Problem.unprocessable("constraint-violation", detail);
        }
        if (state.startsWith("22")) {
            return Problem.badRequest("invalid-value", detail);
        }
        if (state.startsWith("40") || state.startsWith("08") || state.startsWith("57") || state.startsWith("53")) {
            return Problem.unavailable("database-unavailable", "the database could not take the command: " + detail,
                    retryAfterSeconds, e);
        }
        return new IllegalStateException("database error " + state + ": " + detail, e);
    }

    /**
     * A foreign-key refusal in the domain's words ("customer c-1 is still referenced by orders", "customer c-1
     * does not exist"): the key from the detail and the referencing table, never the constraint's name, which
     * clients cannot act on and which tells them the schema.
     */
    static String referenceProblem(SQLException e, boolean stillReferenced) {
        ServerErrorMessage server = e instanceof PSQLException psql ? psql.getServerErrorMessage() : null;
        Matcher key = KEY.matcher(server == null || server.getDetail() == null ? "" : server.getDetail());
        String subject = key.find() && !key.group(1).contains(",") ? entity(key.group(1)) + " " + key.group(2)
                : stillReferenced ? "it" : "a record it refers to";
        if (!stillReferenced) {
            return subject + " does not exist";
        }
        // PostgreSQL names the referencing table (the foreign key's own) in the error's table field
        String table = server == null ? null : server.getTable();
        return subject + " is still referenced" + (table == null ? "" : " by " + table.replace('_', ' '));
    }

    /** customer_id -> customer: the key column names the entity it identifies. */
    private static String entity(String column) {
        String name = column.replace("\"", "");
        return (name.endsWith("_id") && name.length() > 3 ? name.substring(0, name.length() - 3) : name)
                .replace('_', ' ');
    }

    /** PostgreSQL's message and detail, without the "ERROR:" framing. */
    public static String describe(SQLException e) {
        if (e instanceof PSQLException psql && psql.getServerErrorMessage() != null) {
            ServerErrorMessage message = psql.getServerErrorMessage();
            return message.getDetail() == null ? message.getMessage()
                    : message.getMessage() + " (" + message.getDetail() + ")";
        }
        return e.getMessage();
    }
}
