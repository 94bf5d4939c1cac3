package dev.herald.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.apache.camel.component.sql.RowMapperFactory;
import org.springframework.jdbc.core.BeanPropertyRowMapper;
import org.springframework.jdbc.core.ColumnMapRowMapper;
import org.springframework.jdbc.core.RowMapper;

/**
 * camel-sql's rows as JSON-ready maps (set on the sql component, so every {@code sql:} step of every route has
 * them): a {@code json}/{@code jsonb} column is JSON, not a driver object; a timestamp is RFC 3339 text. A step
 * after it (jq, {@code marshal: json}, the event store) then sees what a client will see.
 */
public final class JsonRowMapperFactory implements RowMapperFactory {

    @Override
    public RowMapper<Map<String, Object>> newColumnRowMapper() {
        return new ColumnMapRowMapper() {
            @Override
            protected Object getColumnValue(ResultSet rs, int index) throws SQLException {
                return SqlRows.javaValue(rs.getObject(index));
            }
        };
    }

    @Override
    public RowMapper<?> newBeanRowMapper(Class<?> mappedClass) {
        return BeanPropertyRowMapper.newInstance(mappedClass);
    }
}
