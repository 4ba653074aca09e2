package org.openrtm.broker.web;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openrtm.broker.testing.EmbeddedBroker;
import org.openrtm.protocol.Role;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.openrtm.broker.testing.Clients.connect;
import static org.openrtm.broker.testing.Clients.publish;

/**
 * The web client and the console in a real browser: headless Chromium driven by Selenium. The pages load the
 * TypeScript SDK's bundle (an ES module) and uPlot, which HtmlUnit's JavaScript engine does not run, so without
 * Chromium and chromedriver (CI installs them; {@code RTM_CHROMIUM}, {@code RTM_CHROMEDRIVER} name other paths) these
 * tests are skipped. Screenshots go to target/screenshots (copied to docs/screenshots for the documentation).
 */
class BrowserIT {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("RTM_CHROMIUM", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("RTM_CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final Path SHOTS = Path.of("target", "screenshots");

    @RegisterExtension
    static final EmbeddedBroker broker = EmbeddedBroker.create();

    private final List<WebDriver> browsers = new ArrayList<>();

    @AfterEach
    void closeBrowsers() {
        browsers.forEach(WebDriver::quit);
    }

    private static boolean chromium() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    @BeforeEach
    void needsChromium() {
        assumeTrue(chromium(), "Chromium or chromedriver not found at " + CHROMIUM + " / " + CHROMEDRIVER);
    }

    private WebDriver browser() throws IOException {
        final ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900", "--lang=en-GB",
                "--user-data-dir=" + Files.createTempDirectory("rtm-chromium").toAbsolutePath());
        final WebDriver d = new ChromeDriver(new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build(), o);
        d.manage().timeouts().implicitlyWait(Duration.ZERO);
        browsers.add(d);
        return d;
    }

    private static String page(final String path) {
        return "http://127.0.0.1:" + broker.httpPort() + path;
    }

    private static void waitFor(final String what, final Callable<Boolean> condition) {
        await(what).atMost(Duration.ofSeconds(20)).pollInSameThread().pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(condition);
    }

    private static WebElement byId(final WebDriver d, final String id) {
        return d.findElement(By.id(id));
    }

    private static void type(final WebDriver d, final String id, final String text) {
        final WebElement e = byId(d, id);
        e.clear();
        e.sendKeys(text);
    }

    private static void signIn(final WebDriver d, final String uid) {
        d.get(page("/"));
        waitFor("broker address filled in", () -> !byId(d, "ws-url").getAttribute("value").isEmpty());
        type(d, "uid", uid);
        type(d, "token", broker.token(uid));
        byId(d, "login").click();
        waitFor(uid + " signed in", () -> byId(d, "status").getText().equals("signed in as " + uid));
    }

    private static List<WebElement> items(final WebDriver d, final String listId) {
        return byId(d, listId).findElements(By.tagName("li"));
    }

    private static void screenshot(final WebDriver d, final String name) throws IOException {
        // the whole page: as tall as its content
        final long height = (Long) ((JavascriptExecutor) d).executeScript(
                "return document.documentElement.scrollHeight;");
        d.manage().window().setSize(new Dimension(1280, (int) Math.max(600, Math.min(2000, height + 140))));
        Files.createDirectories(SHOTS);
        final File f = ((TakesScreenshot) d).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void twoPeople_chatPeerToPeerAndInAChannel_andSeePresenceChangeLive() throws Exception {
        final WebDriver alice = browser();
        final WebDriver bob = browser();
        signIn(alice, "alice");

        type(alice, "watch-uid", "bob");
        byId(alice, "watch").click();
        final By bobContact = By.cssSelector("#contacts li[data-uid='bob']");
        waitFor("bob listed", () -> !alice.findElements(bobContact).isEmpty());
        assertThat(alice.findElement(bobContact).getAttribute("data-state")).isEqualTo("offline");

        signIn(bob, "bob");
        waitFor("alice sees bob online", () -> "online".equals(alice.findElement(bobContact).getAttribute("data-state")));

        type(alice, "to", "bob");
        type(alice, "peer-text", "hello bob");
        byId(alice, "peer-send").click();
        waitFor("bob gets alice's message", () -> items(bob, "peer-log").stream()
                .anyMatch(li -> "alice".equals(li.getAttribute("data-from")) && li.getText().contains("hello bob")));
        waitFor("alice sees the receipt", () -> items(alice, "peer-log").stream()
                .anyMatch(li -> "received".equals(li.getAttribute("data-status"))));
        final WebElement mine = items(alice, "peer-log").get(0);
        assertThat(mine.getText()).as("one's own message with its time and receipt")
                .matches("(?s)me \u2192 bob: hello bob\\s*\\d{1,2}:\\d{2}:\\d{2}.* \u00b7 received by bob");
        assertThat(byId(alice, "status").getAttribute("data-state")).isEqualTo("connected");
        assertThat(alice.findElements(By.cssSelector("header #logout"))).as("sign-out in the header").hasSize(1);
        assertThat(alice.findElements(By.cssSelector("#app > section"))).as("three panels, no sign-out column")
                .hasSize(3);

        for (final WebDriver d : List.of(alice, bob)) {
            type(d, "cid", "lobby");
            byId(d, "join").click();
        }
        waitFor("both are members", () -> items(alice, "members").size() == 2 && items(bob, "members").size() == 2);
        waitFor("count is 2", () -> byId(alice, "count").getText().equals("2"));
        type(bob, "channel-text", "hi lobby");
        byId(bob, "channel-send").click();
        waitFor("alice sees bob's channel message", () -> items(alice, "channel-log").stream()
                .anyMatch(li -> li.getText().contains("bob: hi lobby")));
        waitFor("bob sees his own message delivered, with its time", () -> items(bob, "channel-log").stream()
                .anyMatch(li -> li.getText()
                        .matches("(?s)me: hi lobby\\s*\\d{1,2}:\\d{2}:\\d{2}.* \u00b7 delivered to 1 member")));

        // a message from a device outside the browser shows up too
        final Mqtt5BlockingClient device = connect(broker, "thermostat");
        publish(device, "rtm/user/alice/inbox/thermostat", "21.5 C");
        waitFor("alice sees the device's message", () -> items(alice, "peer-log").stream()
                .anyMatch(li -> li.getText().contains("thermostat: 21.5 C")));
        device.disconnect();
        screenshot(alice, "web-client-alice");
        screenshot(bob, "web-client-bob");

        byId(bob, "logout").click();
        waitFor("alice sees bob offline", () -> "offline".equals(alice.findElement(bobContact).getAttribute("data-state")));
        waitFor("bob left the lobby", () -> items(alice, "members").size() == 1);
        assertThat(byId(bob, "status").getText()).isEqualTo("signed out");
        assertThat(byId(bob, "login-panel").isDisplayed()).isTrue();
    }

    @Test
    void wrongToken_isRefusedWithTheServersReason() throws Exception {
        final WebDriver d = browser();
        d.get(page("/"));
        waitFor("broker address filled in", () -> !byId(d, "ws-url").getAttribute("value").isEmpty());
        type(d, "uid", "mallory");
        type(d, "token", broker.token("someone-else"));
        byId(d, "login").click();
        waitFor("refusal shown", () -> byId(d, "login-error").getText()
                .contains("token subject 'someone-else' does not match client id 'mallory'"));
    }

    @Test
    void console_drawsLiveFigures_forAnAdmin() throws Exception {
        final WebDriver d = browser();
        d.get(page("/console"));
        type(d, "token", broker.token("user-not-admin"));
        byId(d, "start").click();
        waitFor("a user token is refused", () -> byId(d, "error").getText().contains("needs role service or admin"));

        type(d, "token", broker.token("ops", Role.ADMIN));
        byId(d, "start").click();
        waitFor("console live", () -> byId(d, "status").getText().equals("live"));
        final Mqtt5BlockingClient a = connect(broker, "console-a");
        final Mqtt5BlockingClient b = connect(broker, "console-b");
        waitFor("online users shown", () -> Integer.parseInt(byId(d, "connected").getText()) >= 2);
        for (int i = 0; i < 20; i++) {
            publish(a, "rtm/user/console-b/inbox/console-a", "tick " + i);
        }
        waitFor("message rate shown", () -> Integer.parseInt(byId(d, "rate").getText()) > 0);
        for (final String chart : List.of("chart-messages", "chart-users", "chart-cache")) {
            assertThat(d.findElements(By.cssSelector("#" + chart + " .uplot canvas"))).as(chart + " drawn by uPlot")
                    .isNotEmpty();
        }
        assertThat(byId(d, "chart-messages").findElement(By.className("u-legend")).getText())
                .contains("peer (msg/s)").contains("channel (msg/s)").contains("rpc (msg/s)");
        assertThat(byId(d, "chart-users").findElement(By.className("u-legend")).getText())
                .contains("online users (users)").contains("channels (channels)");
        assertThat(byId(d, "chart-cache").findElement(By.className("u-legend")).getText())
                .contains("offline cache (messages)").contains("refusals (per s)");
        // the peer series has the rate the figure shows: a point above 0 after the 20 messages
        waitFor("the peer series shows the messages", () -> (Boolean) ((JavascriptExecutor) d).executeScript(
                "return window.rtmConsole.data.messages[1].some(function (v) { return v > 0; });"));
        waitFor("the users chart's legend shows the figure's number of online users", () -> byId(d, "chart-users")
                .findElement(By.className("u-legend")).getText()
                .matches("(?s).*online users \\(users\\):?\\s*" + byId(d, "connected").getText() + "\\b.*"));
        screenshot(d, "console");
        a.disconnect();
        b.disconnect();
    }
}
