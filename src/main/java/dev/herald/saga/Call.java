package dev.herald.saga;

import java.util.List;
import java.util.UUID;

/**
 * One call of a saga: a step's {@code action} or {@code compensation}, or the final Herald command (step
 * {@code completed} or {@code compensated}, phase {@code command}). {@code position}: the step's index.
 */
record Call(String step, String phase, int position) {

    static final String ACTION = "action";
    static final String COMPENSATION = "compensation";
    static final String COMMAND = "command";

    /**
     * The call due in a saga of these {@code steps}: running, the current step's action (after the last step: the
     * completion command); compensating, the current step's compensation (before the first: the compensation
     * command).
     */
    static Call due(List<String> steps, boolean compensating, int currentStep) {
        if (compensating) {
            return currentStep < 0 ? new Call("compensated", COMMAND, -1)
                    : new Call(steps.get(currentStep), COMPENSATION, currentStep);
        }
        return currentStep >= steps.size() ? new Call("completed", COMMAND, steps.size())
                : new Call(steps.get(currentStep), ACTION, currentStep);
    }

    /** The route that makes it: direct:saga.&lt;type&gt;.&lt;step&gt;.&lt;phase&gt;, or .completed / .compensated. */
    String route() {
        return COMMAND.equals(phase) ? step : step + "." + phase;
    }

    /** Unique per (saga, step, action|compensation), the same at every retry and after a restart. */
    String idempotencyKey(UUID saga) {
        return "saga-" + saga + "-" + step + "-" + phase;
    }

    boolean action() {
        return ACTION.equals(phase);
    }
}
