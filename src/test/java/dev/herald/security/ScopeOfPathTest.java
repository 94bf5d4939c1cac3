package dev.herald.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which scope a request needs, by its path and method. */
class ScopeOfPathTest {

    @Test
    void retryingASagaIsAnOperatorsDecisionReadingItIsARead() {
        assertThat(AccessControl.needed("/api/sagas/0b1c/retry", "POST")).isEqualTo(Scope.ADMIN);
        assertThat(AccessControl.needed("/api/sagas", "GET")).isEqualTo(Scope.READ);
        assertThat(AccessControl.needed("/api/sagas/0b1c", "GET")).isEqualTo(Scope.READ);
        assertThat(AccessControl.needed("/api/orders/0b1c/confirm", "POST")).isEqualTo(Scope.COMMANDS);
        assertThat(AccessControl.needed("/api/projections/x/retry", "POST")).isEqualTo(Scope.ADMIN);
    }
}
