package dev.herald.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Foreign-key refusals speak the domain: the key and the referencing table, never a constraint name. */
class SqlProblemsTest {

    @Test
    void deletingSomethingStillReferencedNamesWhatRefersToIt() {
        Problem problem = (Problem) SqlProblems.of(foreignKey(
                "update or delete on table \"customers\" violates foreign key constraint \"orders_customer_id_fkey\""
                        + " on table \"orders\"",
                "Key (customer_id)=(c-42) is still referenced from table \"orders\".", "orders"), 5);

        assertThat(problem.status()).isEqualTo(409);
        assertThat(problem.type()).isEqualTo("urn:herald:problem:still-referenced");
        assertThat(problem.detail()).isEqualTo("customer c-42 is still referenced by orders");
    }

    @Test
    void theReferencingTableIsPutInWordsWhateverItIs() {
        Problem problem = (Problem) SqlProblems.of(foreignKey(
                "update or delete on table \"orders\" violates foreign key constraint \"order_items_order_id_fkey\""
                        + " on table \"order_items\"",
                "Key (order_id)=(o-7) is still referenced from table \"order_items\".", "order_items"), 5);

        assertThat(problem.detail()).isEqualTo("order o-7 is still referenced by order items");
    }

    @Test
    void referringToSomethingMissingSaysItDoesNotExist() {
        Problem problem = (Problem) SqlProblems.of(foreignKey(
                "insert or update on table \"orders\" violates foreign key constraint \"orders_customer_id_fkey\"",
                "Key (customer_id)=(nobody) is not present in table \"customers\".", "orders"), 5);

        assertThat(problem.status()).isEqualTo(422);
        assertThat(problem.type()).isEqualTo("urn:herald:problem:unknown-reference");
        assertThat(problem.detail()).isEqualTo("customer nobody does not exist").doesNotContain("fkey");
    }

    @Test
    void withoutTheKeyInTheDetailItStillNamesNoConstraint() {
        Problem problem = (Problem) SqlProblems.of(foreignKey(
                "update or delete on table \"customers\" violates foreign key constraint \"orders_customer_id_fkey\""
                        + " on table \"orders\"",
                "Key is still referenced from table \"orders\".", "orders"), 5);

        assertThat(problem.detail()).isEqualTo("it is still referenced by orders");
    }

    /** A 23503 as pgjdbc builds it from the server's fields (severity, code, message, detail, table, constraint). */
    private static PSQLException foreignKey(String message, String detail, String table) {
        String fields = "SERROR\0C23503\0M" + message + "\0D" + detail + "\0sherald\0t" + table
                + "\0n" + "some_fkey\0";
        return new PSQLException(new ServerErrorMessage(fields));
    }
}
