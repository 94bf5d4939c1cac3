package dev.herald.settings;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A setting's environment variable name, and URLs made fit for a log line. */
class SettingsTextTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "herald.db.url, HERALD_DB_URL",
        "herald.db.password-file, HERALD_DB_PASSWORD_FILE",
        "herald.webhooks.max-in-flight-per-endpoint, HERALD_WEBHOOKS_MAX_IN_FLIGHT_PER_ENDPOINT",
        "Herald.Mixed.Case, HERALD_MIXED_CASE",
        "herald, HERALD",
    })
    void envNameIsTheKeyUpperCasedWithUnderscores(String key, String env) {
        assertThat(Settings.envName(key)).isEqualTo(env);
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
        "amqp://guest:guest@127.0.0.1:5672                         | amqp://***@127.0.0.1:5672",
        "amqps://user@broker/vhost                                 | amqps://***@broker/vhost",
        "jdbc:postgresql://db/herald?user=u&password=s3cr3t&ssl=1  | jdbc:postgresql://db/herald?user=u&password=***&ssl=1",
        "jdbc:postgresql://db/herald?PASSWORD=s3cr3t               | jdbc:postgresql://db/herald?PASSWORD=***",
        "jdbc:sqlserver://db;password=s3cr3t;user=u                | jdbc:sqlserver://db;password=***;user=u",
        "jdbc:postgresql://db:5432/herald                          | jdbc:postgresql://db:5432/herald",
        "http://host/path/user@example.com                         | http://host/path/user@example.com",
        "''                                                        | ''",
    })
    void withoutCredentialsMasksUserInfoAndPasswordParameters(String url, String logged) {
        assertThat(Settings.withoutCredentials(url)).isEqualTo(logged);
    }
}
