package dev.herald.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

/** The connection pool, and the migrations that bring the schema up to date before anything runs. */
public final class Database {

    private Database() {
    }

    public static HikariDataSource open(String url, String user, String password, int poolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("herald-db");
        config.setConnectionTimeout(5_000);
        // strings bind as "unknown", so SQL in declarations can compare them to uuid, jsonb, numeric...
        config.addDataSourceProperty("stringtype", "unspecified");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(config);
    }

    /** Herald's own tables (from the jar), then the domain tables (from the filesystem, per settings). */
    public static void migrate(javax.sql.DataSource dataSource, String domainLocations) {
        Flyway.configure().dataSource(dataSource)
                .locations("classpath:db/herald").table("herald_schema_history")
                .baselineOnMigrate(true).baselineVersion("0")
                .load().migrate();
        Flyway.configure().dataSource(dataSource)
                .locations(domainLocations.split("\\s*,\\s*")).table("domain_schema_history")
                .baselineOnMigrate(true).baselineVersion("0")
                .load().migrate();
    }
}
