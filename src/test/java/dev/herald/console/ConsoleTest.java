package dev.herald.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.herald.bridge.rabbitmq.BridgeFixture;
import dev.herald.testing.HttpApi.Response;
import dev.herald.testing.TestHub;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real headless Chromium (Debian's chromium and chromedriver, which .ci/run installs):
 * log in with a key, a wrong key refused, a dead letter the test makes seen and retried until resolved, a command
 * found by id with its webhook delivery, a failed saga inspected and retried, a replay started and completed, one
 * cancelled; a screenshot of each page under target/console-screenshots/.
 */
class ConsoleTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String KEY = "console-" + UUID.randomUUID();

    private static TestHub hub;
    private static final BridgeFixture rabbitmq = new BridgeFixture();
    private static HttpServer receiver;
    private static final AtomicInteger receiverStatus = new AtomicInteger(200);
    /** The payment and inventory services of the order-fulfilment saga (paymentAndInventory). */
    private static HttpServer services;
    private static volatile boolean refundsDown = true;
    private static String endpointId;
    private static ChromeDriver browser;
    private static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String missing = "Debian's chromium and chromium-driver are not installed (.ci/run installs them)";
        if ("true".equals(System.getenv("HERALD_TEST_BROWSER_REQUIRED"))) {
            assertThat(installed).as(missing).isTrue();
        }
        Assumptions.assumeTrue(installed, missing);
        String run = UUID.randomUUID().toString().substring(0, 8);
        services = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        services.createContext("/", ConsoleTest::paymentAndInventory);
        services.start();
        String servicesUrl = "http://127.0.0.1:" + services.getAddress().getPort();
        // the RabbitMQ bridge on, one CloudEvents consumer of the customers' events: the look-up shows its delivery
        Map<String, String> settings = new HashMap<>(rabbitmq.settings(true, """
                consumers:
                  - { name: audit, queue: %s, bindings: [ "customer.*" ] }
                """.formatted(rabbitmq.queue("audit"))));
        settings.putAll(Map.ofEntries(Map.entry("herald.security.bootstrap-key", KEY),
                Map.entry("herald.security.key-cache", "0"),
                Map.entry("herald.topics.customers", "customers-" + run), Map.entry("herald.topics.orders", "orders-" + run),
                Map.entry("herald.webhooks.allow-private-networks", "true"),
                Map.entry("herald.webhooks.retry-schedule", "0,50,100,100"), Map.entry("herald.webhooks.retry-jitter", "0"),
                Map.entry("herald.webhooks.poll-interval", "50"),
                // the order-fulfilment saga, against this test's payment and inventory services
                Map.entry("herald.services.payment.url", servicesUrl), Map.entry("herald.services.inventory.url", servicesUrl),
                Map.entry("herald.sagas.interval", "50"), Map.entry("herald.sagas.retry-backoff", "100"),
                Map.entry("herald.sagas.call-timeout", "1000"), Map.entry("herald.sagas.step-deadline", "2000")));
        hub = TestHub.start(settings);
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hooks", exchange -> {
            byte[] body = ("status " + receiverStatus.get()).getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(receiverStatus.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        receiver.start();
        Response endpoint = api("POST", "/api/webhooks/endpoints",
                "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks\",\"event_types\":[\"customer.*\"]}");
        assertThat(endpoint.status()).as(endpoint.toString()).isEqualTo(201);
        endpointId = endpoint.json().get("id").asText();

        // the system's chromedriver, never a download: Selenium Manager is not asked when the driver is named
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1024,900");
        browser = new ChromeDriver(options);
        // pages redraw as they poll: an element found a moment ago may be replaced
        wait = (WebDriverWait) new WebDriverWait(browser, PATIENCE).ignoring(StaleElementReferenceException.class);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
        if (services != null) {
            services.stop(0);
        }
        if (hub != null) {
            hub.close();
        }
        rabbitmq.close();
    }

    @Test
    void aWrongKeyIsRefusedWithAMessage() {
        openLoggedOut();
        // the form has the focus: a keyboard user types the key and presses Enter
        browser.switchTo().activeElement().sendKeys("hrld_not-a-key", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "not valid"));
        assertThat(browser.findElement(By.id("nav")).isDisplayed()).isFalse();
        screenshot("login");
    }

    @Test
    void aDeadLetterIsSeenInspectedAndRetriedUntilResolved() {
        receiverStatus.set(500);
        String customer = customer("Dead Letter");
        await().atMost(PATIENCE).until(() -> hub.queryLong(
                "SELECT count(*) FROM dead_letters WHERE stage = 'webhook' AND aggregate_id = ?", customer) == 1);

        logIn();
        browser.get(hub.http.base() + "/console#/dead-letters");
        // filtered by stage and aggregate: this one dead letter
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("stage"))).sendKeys("webhook");
        browser.findElement(By.name("aggregate")).sendKeys(customer, Keys.ENTER);
        By row = By.cssSelector("tr[data-aggregate='" + customer + "']");
        wait.until(ExpectedConditions.visibilityOfElementLocated(row));
        assertThat(browser.findElements(By.cssSelector("tr[data-id]"))).hasSize(1);
        browser.findElement(row).findElement(By.tagName("button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dead-letter-detail"), "HTTP 500"));
        screenshot("dead-letters");
        // a narrow laptop: the list and the dead letter fold into one column, nothing to scroll sideways
        narrow("dead-letters-narrow");

        // Discard, then Cancel in the confirmation: nothing happens
        browser.findElement(By.id("discard-one")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
        browser.findElement(By.id("confirm-cancel")).sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm")));
        assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE aggregate_id = ? AND resolution IS NULL",
                customer)).isEqualTo(1);

        receiverStatus.set(200);
        confirmed(By.id("retry-one"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#dead-letter-detail .status"),
                "retried"));
        // retried: no longer among the open ones, and the webhook delivered it this time
        wait.until(ExpectedConditions.invisibilityOfElementLocated(row));
        await().atMost(PATIENCE).until(() -> hub.queryLong("SELECT count(*) FROM webhook_deliveries"
                + " WHERE aggregate_id = ? AND status = 'succeeded'", customer) == 1);
    }

    @Test
    void aCommandFoundByIdShowsItsWebhookAndRabbitMqDeliveries() {
        receiverStatus.set(200);
        Response created = api("POST", "/api/customers", "{\"full_name\":\"Looked Up\",\"email\":\"up@example.com\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String command = created.json().get("command_id").asText();
        String customer = created.json().get("aggregate_id").asText();
        await().atMost(PATIENCE).until(() -> hub.queryLong("SELECT count(*) FROM webhook_deliveries"
                + " WHERE aggregate_id = ? AND status = 'succeeded'", customer) == 1);
        // the bridge records what the broker confirmed off its own thread, a moment after the delivery
        await().atMost(PATIENCE).until(() -> api("GET", "/api/lookup/" + command, "").json().at("/0/rabbitmq").size() == 1);

        logIn();
        browser.get(hub.http.base() + "/console#/lookup");
        WebElement id = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("lookup-id")));
        id.sendKeys(command, Keys.ENTER);
        By delivery = By.cssSelector("#lookup-results .webhook-delivery");
        wait.until(ExpectedConditions.visibilityOfElementLocated(delivery));
        WebElement step = browser.findElement(delivery).findElement(By.xpath("./ancestor::li"));
        assertThat(step.getText()).contains("succeeded").contains("/hooks");
        WebElement rabbit = browser.findElement(By.cssSelector("#lookup-results .rabbitmq-delivery"))
                .findElement(By.xpath("./ancestor::li"));
        assertThat(rabbit.getText()).contains("RabbitMQ").contains(rabbitmq.exchange());
        assertThat(browser.findElement(By.id("lookup-results")).getText())
                .contains("customer.created").contains(command).contains("published");
        screenshot("lookup");
        // the same path by the event's id, the aggregate's id and the request's trace id
        JsonNode path = api("GET", "/api/lookup/" + command, "").json();
        assertThat(path).hasSize(1);
        String event = path.at("/0/event/id").asText();
        for (String other : new String[] {event, customer, path.at("/0/command/trace_id").asText()}) {
            assertThat(api("GET", "/api/lookup/" + other, "").json()).as(other)
                    .extracting(found -> found.at("/event/id").asText()).containsExactly(event);
        }
        assertThat(api("GET", "/api/lookup/nothing-has-this-id", "").json()).isEmpty();
        // the endpoint's newest delivery, as its page lists them
        assertThat(api("GET", "/api/webhooks/endpoints/" + endpointId + "/deliveries/newest?limit=1", "").json())
                .extracting(newest -> newest.get("aggregate_id").asText()).containsExactly(customer);

        // the delivery's link opens the endpoint with that delivery's attempts and the receiver's answer
        browser.findElement(delivery).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("attempts"), "status 200"));
        screenshot("webhooks");
    }

    @Test
    void anEndpointIsDisabledEnabledAndItsSecretRotated() {
        logIn();
        browser.get(hub.http.base() + "/console#/webhooks?endpoint=" + endpointId);
        confirmed(By.id("endpoint-disable"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("endpoint-enable")));
        assertThat(api("GET", "/api/webhooks/endpoints/" + endpointId, "").json().get("enabled").asBoolean()).isFalse();
        confirmed(By.id("endpoint-enable"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("endpoint-disable")));
        assertThat(api("GET", "/api/webhooks/endpoints/" + endpointId, "").json().get("enabled").asBoolean()).isTrue();

        confirmed(By.id("endpoint-rotate"));
        WebElement secret = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-secret")));
        assertThat(secret.getText()).startsWith("whsec_");
    }

    @Test
    void theFlowAndProjectionPagesShowTheHub() {
        logIn();
        browser.get(hub.http.base() + "/console#/flow");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#chart-commands svg")));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("chart-backlog")));
        // two samples of /observe/metrics make a rate: a number where "–" stood
        wait.until(driver -> browser.findElement(By.cssSelector("#chart-commands .value")).getText().matches("[0-9.,]+"));
        screenshot("flow");

        // by keyboard alone: Tab to the navigation's Projections link, Enter
        wait.until(driver -> {
            WebElement focused = browser.switchTo().activeElement();
            if (focused.getText().equals("Projections")) {
                return true;
            }
            focused.sendKeys(Keys.TAB);
            return false;
        });
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.attributeToBe(By.id("view"), "data-ready", "projections"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("view"), "customer-order-totals"));
        screenshot("projections");
        confirmed(By.xpath("//tr[td[text()='customer-order-totals']]//button[text()='Rebuild']"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("view"), "rebuild started"));
    }

    @Test
    void aFailedSagaIsFoundFromItsDeadLetterInspectedAndRetried() {
        // an order whose items are sold out: the payment is refunded, but the refund fails until the ledger is back
        refundsDown = true;
        String order = order(customer("Saga Buyer"), "sold-out");
        await().atMost(PATIENCE).until(() -> hub.queryLong(
                "SELECT count(*) FROM dead_letters WHERE stage = 'saga' AND aggregate_id = ?", order) == 1);
        long deadLetter = hub.queryLong("SELECT id FROM dead_letters WHERE stage = 'saga' AND aggregate_id = ?", order);

        logIn();
        browser.get(hub.http.base() + "/console#/dead-letters?stage=saga&id=" + deadLetter);
        // the dead letter links to its saga: the sagas page, filtered by type and correlation id
        wait.until(ExpectedConditions.elementToBeClickable(By.id("dead-letter-saga"))).click();
        wait.until(ExpectedConditions.attributeToBe(By.id("view"), "data-ready", "sagas"));
        By row = By.cssSelector("tr[data-correlation='" + order + "']");
        wait.until(ExpectedConditions.visibilityOfElementLocated(row));
        assertThat(browser.findElements(By.cssSelector("tr[data-saga]"))).hasSize(1);
        assertThat(browser.findElement(row).getText()).contains("order-fulfilment").contains("failed");
        browser.findElement(row).findElement(By.tagName("button")).sendKeys(Keys.ENTER);
        By refund = By.cssSelector("#saga-detail tr[data-step='payment.compensation']");
        wait.until(ExpectedConditions.visibilityOfElementLocated(refund));
        assertThat(browser.findElement(refund).getText()).contains("timed_out").contains("500");
        assertThat(browser.findElement(By.cssSelector("#saga-detail tr[data-step='payment.action']")).getText())
                .contains("succeeded").contains("201");
        screenshot("sagas");
        narrow("sagas-narrow");

        refundsDown = false;
        confirmed(By.id("saga-retry"));
        // the page refreshes: the refund goes through and the saga ends compensated
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#saga-detail .status"),
                "compensated"));
        assertThat(hub.queryLong("SELECT count(*) FROM dead_letters WHERE id = ? AND resolution = 'retried'",
                deadLetter)).isEqualTo(1);
    }

    @Test
    void aReplayStartedFromThePageCompletesWithItsCount() {
        receiverStatus.set(200);
        String customer = customer("Replayed");
        await().atMost(PATIENCE).until(() -> hub.queryLong("SELECT count(*) FROM webhook_deliveries"
                + " WHERE aggregate_id = ? AND status = 'succeeded'", customer) == 1);

        logIn();
        browser.get(hub.http.base() + "/console#/replays");
        // a topic Kafka would refuse: nothing starts, the API's problem is shown
        new Select(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("replay-kind"))))
                .selectByValue("kafka_topic");
        browser.findElement(By.id("replay-topic")).sendKeys("not a topic");
        confirmed(By.id("replay-start"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#replay-notice [role=alert]"),
                "not started"));
        // the schema's own words, naming the field
        assertThat(browser.findElement(By.id("replay-notice")).getText()).contains("/target/kafka_topic");
        screenshot("replays-problem");
        assertThat(hub.queryLong("SELECT count(*) FROM replays WHERE target = 'not a topic'")).isZero();

        // to the webhook endpoint, the customer's events since the form's default (a day ago)
        new Select(browser.findElement(By.id("replay-kind"))).selectByValue("webhook_endpoint");
        new Select(browser.findElement(By.id("replay-endpoint"))).selectByValue(endpointId);
        browser.findElement(By.id("replay-types")).sendKeys("customer.*");
        browser.findElement(By.id("replay-aggregate")).sendKeys(customer);
        confirmed(By.id("replay-start"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("replay-notice"), "started"));
        By row = By.xpath("//tr[@data-replay][td[text()='" + customer + "']]");
        // the list refreshes until the replay completes, with the one event sent
        wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "completed"));
        assertThat(browser.findElement(row).findElement(By.cssSelector("td.num")).getText()).isEqualTo("1");
        assertThat(browser.findElement(row).getText()).contains("/hooks").contains(customer);
        screenshot("replays");
        narrow("replays-narrow");
        // the receiver gets the event a second time: a second attempt of the same delivery (endpoint, event)
        await().atMost(PATIENCE).until(() -> hub.queryLong("SELECT count(*) FROM webhook_attempts a"
                + " JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.aggregate_id = ?"
                + " AND a.response_status = 200", customer) == 2);
    }

    @Test
    void aRunningReplayIsCancelledFromThePage() throws Exception {
        // the runner paused, so the replay stays running until the operator cancels it
        hub.camel().getRouteController().stopRoute("replays.run");
        try {
            Response started = api("POST", "/api/replays", "{\"target\":{\"kafka_topic\":\"console-cancel-"
                    + UUID.randomUUID() + "\"},\"since\":\"2020-01-01T00:00:00Z\"}");
            assertThat(started.status()).as(started.toString()).isEqualTo(202);
            String replay = started.json().get("id").asText();

            logIn();
            browser.get(hub.http.base() + "/console#/replays");
            By row = By.cssSelector("tr[data-replay='" + replay + "']");
            wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "running"));
            confirmed(By.cssSelector("tr[data-replay='" + replay + "'] button"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("replay-notice"), "cancelled"));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "cancelled"));
            assertThat(browser.findElement(row).findElements(By.tagName("button"))).isEmpty();
            assertThat(api("GET", "/api/replays/" + replay, "").json().get("status").asText()).isEqualTo("cancelled");
        } finally {
            hub.camel().getRouteController().startRoute("replays.run");
        }
    }

    @Test
    void theConsoleFilesAreServedAndNothingElse() {
        Response page = hub.http.get("/console");
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.header("Content-Security-Policy")).contains("default-src 'self'");
        assertThat(hub.http.get("/console/app.js").header("Content-Type")).startsWith("text/javascript");
        assertThat(hub.http.get("/console/nothing.js").status()).isEqualTo(404);
        assertThat(hub.http.get("/console/..%2Flogback.xml").status()).isEqualTo(404);
        // the look-up is an operator path: admin scope
        assertThat(hub.http.get("/api/lookup/" + UUID.randomUUID()).status()).isEqualTo(401);
    }

    /** Clicks the button and confirms in the dialog. */
    private static void confirmed(By button) {
        wait.until(ExpectedConditions.elementToBeClickable(button)).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
        browser.findElement(By.id("confirm-ok")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm")));
    }

    /** At a narrow laptop's width the page folds into one column: nothing to scroll sideways; a screenshot. */
    private static void narrow(String screenshot) {
        browser.manage().window().setSize(new Dimension(700, 900));
        wait.until(driver -> (Boolean) browser.executeScript(
                "return document.documentElement.scrollWidth <= window.innerWidth"));
        screenshot(screenshot);
        browser.manage().window().setSize(new Dimension(1024, 900));
    }

    private static void openLoggedOut() {
        browser.get(hub.http.base() + "/console");
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
    }

    private static void logIn() {
        openLoggedOut();
        browser.findElement(By.id("key")).sendKeys(KEY);
        browser.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
    }

    private static String customer(String name) {
        Response created = api("POST", "/api/customers",
                "{\"full_name\":\"" + name + "\",\"email\":\"" + UUID.randomUUID() + "@example.com\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("aggregate_id").asText();
    }

    private static String order(String customer, String product) {
        Response placed = api("POST", "/api/orders", "{\"customer_id\":\"" + customer + "\",\"items\":[{"
                + "\"product_id\":\"" + product + "\",\"quantity\":1,\"unit_price\":30}]}");
        assertThat(placed.status()).as(placed.toString()).isIn(201, 202);
        return placed.json().get("aggregate_id").asText();
    }

    /**
     * The saga's services: a charge succeeds and its refund fails while refundsDown; a reservation of "sold-out" is
     * declined, any other succeeds.
     */
    private static void paymentAndInventory(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        int status;
        String answer;
        if (path.endsWith("/refund")) {
            status = refundsDown ? 500 : 200;
            answer = refundsDown ? "{\"error\": \"ledger down\"}" : "{\"refunded\": true}";
        } else if (path.equals("/payments")) {
            status = 201;
            answer = "{\"payment_id\": \"pay-" + UUID.randomUUID() + "\"}";
        } else if (method.equals("DELETE")) {
            status = 204;
            answer = "";
        } else {
            status = body.contains("sold-out") ? 409 : 201;
            answer = status == 409 ? "{\"error\": \"unavailable\"}" : "{\"reservation_id\": \"res-" + UUID.randomUUID() + "\"}";
        }
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static Response api(String method, String path, String json) {
        return hub.http.raw(method, path, json.getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer " + KEY,
                "Content-Type", "application/json");
    }

    private static void screenshot(String page) {
        try {
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(page + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("screenshot of " + page, e);
        }
    }
}
