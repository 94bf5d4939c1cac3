package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PGobject;

/** The pure rules under Herald's sql: steps: parameter counting, SQL parameters, rows as JSON. */
class SqlStepsTest {

    @Test
    void countsNamedParametersSoCamelSqlNeedNotAskTheServer() {
        assertThat(SqlSteps.namedParameters("INSERT INTO t VALUES (:#id, :#name, :#id)")).isEqualTo(3);
        assertThat(SqlSteps.namedParameters("SELECT CAST(:#limit AS int)::text")).isEqualTo(1);
        assertThat(SqlSteps.namedParameters("SELECT 1 WHERE x = :#${header.id}")).isEqualTo(1);
        assertThat(SqlSteps.namedParameters("SELECT now()")).isZero();
        assertThat(SqlSteps.namedParameters("SELECT * FROM t WHERE id IN (:#in:ids)")).as("IN lists vary").isZero();
        assertThat(SqlSteps.namedParameters("classpath:sql/query.sql")).as("cannot tell").isZero();
        assertThat(SqlSteps.namedParameters("UPDATE t SET a = :?a WHERE id = :?id AND b ? 'k'"))
                .as("as the endpoint keeps it, placeholder already replaced").isEqualTo(2);
    }

    @Test
    void aParameterTheCommandDoesNotSupplyIsNullNotAbsent() {
        SqlParameters parameters = new SqlParameters(Map.of("name", "Ada"));
        assertThat(parameters.containsKey("email")).as("never falls through to a header").isTrue();
        assertThat(parameters.get("email")).isNull();
        assertThat(parameters.get("name")).isEqualTo("Ada");
    }

    @Test
    void jsonBodyFieldsBecomeSqlValues() throws Exception {
        Map<String, Object> values = SqlParameters.fromJson(new ObjectMapper().readTree(
                "{\"n\":3,\"price\":9.99,\"ok\":true,\"none\":null,\"items\":[{\"q\":1}],\"s\":\"x\"}"));
        assertThat(values).containsEntry("n", 3L).containsEntry("price", new BigDecimal("9.99"))
                .containsEntry("ok", true).containsEntry("none", null).containsEntry("items", "[{\"q\":1}]")
                .containsEntry("s", "x");
    }

    @Test
    void rowsReadAsJsonWithTheDataColumnConvention() throws Exception {
        PGobject json = column("jsonb", "{\"a\":1}");
        Map<String, Object> row = row("c-1", new BigDecimal("19.98"));
        row.put("extra", json);
        assertThat(SqlRows.of(List.of(row)).toString())
                .isEqualTo("[{\"id\":\"c-1\",\"at\":\"2026-12-06T10:15:30.123456Z\",\"total\":19.98,\"extra\":{\"a\":1}}]");
        assertThat(SqlRows.of(List.of(Map.of("data", json))).get(0).toString()).isEqualTo("{\"a\":1}");
        assertThat(SqlRows.of(null)).isEmpty();
    }

    @Test
    void aRowWrittenAsTextIsTheTextOfItsJson() throws Exception {
        PGobject json = column("jsonb", "{\"a\":[1,\"x\"]}");
        PGobject other = column("uuid", "8b4f2a1e-0000-4000-8000-000000000001");
        Map<String, Object> row = row("c-\"1\"\n", new BigDecimal("1E+3"));
        row.put("count", 3);
        row.put("big", 5_000_000_000L);
        row.put("small", (short) 2);
        row.put("ratio", 0.25d);
        row.put("live", true);
        row.put("gone", null);
        row.put("extra", json);
        row.put("ref", other);
        assertThat(SqlRows.text(row)).isEqualTo(SqlRows.row(row).toString());
        assertThat(SqlRows.text(Map.of("data", json))).isEqualTo("{\"a\":[1,\"x\"]}");
    }

    private static PGobject column(String type, String value) throws Exception {
        PGobject column = new PGobject();
        column.setType(type);
        column.setValue(value);
        return column;
    }

    private static Map<String, Object> row(String id, BigDecimal total) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("at", Timestamp.from(Instant.parse("2026-12-06T10:15:30.123456Z")));
        row.put("total", total);
        return row;
    }
}
