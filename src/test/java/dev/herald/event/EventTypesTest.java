package dev.herald.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The event type patterns of settings (herald.relay.strict-order-types: whose dead letter holds its aggregate back):
 * {@code *} is any characters, everything else is literal, and a pattern matches the whole type.
 */
class EventTypesTest {

    @ParameterizedTest(name = "[{0}] ~ {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "order.*                     | order.created      | true",
        "order.*                     | order.             | true",
        "order.*                     | orders.created     | false",
        "order.*                     | order              | false",
        "'order.*, customer.deleted' | customer.deleted   | true",
        "'order.*, customer.deleted' | customer.created   | false",
        "'  order.created  ,  '      | order.created      | true",
        "*                           | anything.at.all    | true",
        "*.deleted                   | customer.deleted   | true",
        "*.deleted                   | customer.deleted.2 | false",
        "a*b*c                       | a-x-b-y-c          | true",
        "a*b*c                       | a-x-c              | false",
        "order.created               | orderXcreated      | false",
        "order.created               | order.created.v2   | false",
        "order.created               | Order.Created      | false",
        "'(a|b)+'                    | a                  | false",
        "'(a|b)+'                    | '(a|b)+'           | true",
        "''                          | order.created      | false",
        "' , ,'                      | order.created      | false",
        "' , ,'                      | ''                 | false",
    })
    void matchesWholeTypesWithStarAsAnyCharacters(String patterns, String type, boolean matches) {
        assertThat(EventTypes.matching(patterns).test(type)).isEqualTo(matches);
    }
}
