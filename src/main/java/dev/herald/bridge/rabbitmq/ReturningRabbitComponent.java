package dev.herald.bridge.rabbitmq;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Endpoint;
import org.apache.camel.util.PropertiesHelper;
import org.apache.camel.component.springrabbit.SpringRabbitMQComponent;
import org.apache.camel.component.springrabbit.SpringRabbitMQEndpoint;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * camel-spring-rabbitmq whose producers publish with the mandatory flag and keep what the broker returns as
 * unroutable. The stock producer (Camel 4.17) sends without mandatory, so an event no queue took would be
 * confirmed and gone. The connection factory handles returns on the connection's thread (see
 * {@link RabbitConnections}). RabbitMQ sends basic.return before the basic.ack of the same message, so once the
 * producer's confirm wait is over a return is already recorded here; Qpid (the embedded broker) nacks first
 * and returns right after, so after a nack the bridge waits briefly for the return.
 */
final class ReturningRabbitComponent extends SpringRabbitMQComponent {

    /** The templates that record returns here (their listener ids): see {@link QuietReturnsChannel}. */
    private static final Set<String> RECORDING = ConcurrentHashMap.newKeySet();

    private final Map<String, CompletableFuture<ReturnedMessage>> returned = new ConcurrentHashMap<>();

    ReturningRabbitComponent(ConnectionFactory connectionFactory) {
        setConnectionFactory(connectionFactory);
    }

    /** The return of this message id from this exchange if it came already, removed; else null. */
    ReturnedMessage takeReturn(String exchange, String messageId) {
        CompletableFuture<ReturnedMessage> future = returned.get(key(exchange, messageId));
        if (future == null || !future.isDone()) {
            return null;
        }
        returned.remove(key(exchange, messageId));
        return future.join();
    }

    /** The return of this message, waiting for it at most {@code wait}, removed; null if none came. */
    ReturnedMessage awaitReturn(String exchange, String messageId, Duration wait) throws InterruptedException {
        String key = key(exchange, messageId);
        try {
            return returned.computeIfAbsent(key, k -> new CompletableFuture<>())
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            returned.remove(key);
        }
    }

    /**
     * A template that publishes as this component's producers do (mandatory, returns recorded here): the batch
     * step's ({@link RabbitBatches}), which sends many messages before it waits for their confirms.
     */
    RabbitTemplate batchTemplate() {
        RabbitTemplate template = new RabbitTemplate(getConnectionFactory());
        template.setMandatory(true);
        template.setReturnsCallback(this::recordReturn);
        RECORDING.add(template.getUUID());
        return template;
    }

    /**
     * Whether the channel listener of this id records returns here: a template of this component's, not e.g. the
     * one inside a {@code RabbitAdmin} (the gauges'), which registers on the same cached channels without a
     * returns callback and would drop a return.
     */
    static boolean recordsReturns(String listenerId) {
        return RECORDING.contains(listenerId);
    }

    private void recordReturn(ReturnedMessage message) {
        returned.computeIfAbsent(key(message.getExchange(), message.getMessage().getMessageProperties()
                .getMessageId()), k -> new CompletableFuture<>()).complete(message);
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        SpringRabbitMQEndpoint endpoint = new SpringRabbitMQEndpoint(uri, this, remaining) {
            @Override
            public RabbitTemplate createInOnlyTemplate() {
                RabbitTemplate template = super.createInOnlyTemplate();
                template.setMandatory(true);
                template.setReturnsCallback(ReturningRabbitComponent.this::recordReturn);
                RECORDING.add(template.getUUID());
                return template;
            }
        };
        endpoint.setConnectionFactory(getConnectionFactory());
        endpoint.setMessageConverter(getMessageConverter());
        getMessagePropertiesConverter().setHeaderFilterStrategy(getHeaderFilterStrategy());
        endpoint.setMessagePropertiesConverter(getMessagePropertiesConverter());
        consumerDefaults(endpoint, parameters);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /**
     * The component's defaults a consumer endpoint needs, as the stock component sets them (a reaction's
     * {@code from: spring-rabbitmq:} reads a legacy producer's queue; without them its start fails on nulls).
     */
    private void consumerDefaults(SpringRabbitMQEndpoint endpoint, Map<String, Object> parameters) {
        endpoint.setTestConnectionOnStartup(isTestConnectionOnStartup());
        endpoint.setAutoStartup(isAutoStartup());
        endpoint.setAutoDeclare(isAutoDeclare());
        endpoint.setAutoDeclareProducer(isAutoDeclareProducer());
        endpoint.setDeadLetterExchange(getDeadLetterExchange());
        endpoint.setDeadLetterExchangeType(getDeadLetterExchangeType());
        endpoint.setDeadLetterQueue(getDeadLetterQueue());
        endpoint.setDeadLetterRoutingKey(getDeadLetterRoutingKey());
        endpoint.setReplyTimeout(getReplyTimeout());
        endpoint.setPrefetchCount(getPrefetchCount());
        endpoint.setMessageListenerContainerType(getMessageListenerContainerType());
        endpoint.setConcurrentConsumers(getConcurrentConsumers());
        endpoint.setMaxConcurrentConsumers(getMaxConcurrentConsumers());
        endpoint.setRetry(getRetry());
        endpoint.setMaximumRetryAttempts(getMaximumRetryAttempts());
        endpoint.setRetryDelay(getRetryDelay());
        endpoint.setRejectAndDontRequeue(isRejectAndDontRequeue());
        endpoint.setAllowNullBody(isAllowNullBody());
        endpoint.setArgs(PropertiesHelper.extractProperties(parameters, "arg."));
    }

    private static String key(String exchange, String messageId) {
        return exchange + "\n" + messageId;
    }
}
