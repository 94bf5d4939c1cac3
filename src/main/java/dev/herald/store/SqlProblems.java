package dev.herald.store;

import dev.herald.intake.Problem;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Turns a database refusal into the problem a client can act on, by SQLSTATE class. */
public final class SqlProblems {

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
                    ? Problem.conflict("still-referenced", detail)
                    : Problem.unprocessable("unknown-reference", detail);
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
