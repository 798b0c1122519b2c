package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import io.pairgate.RequestId;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.ClientInfo;
import io.pairgate.DeviceId;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.store.json.JsonPairingStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The operator console in a real browser: Debian's Chromium, headless, driven by Selenium through
 * Debian's chromedriver. The page makes its own Ed25519 key with WebCrypto and pairs like any
 * device; these tests approve it, let it approve and revoke a Java client, feed it hostile
 * display names, and try it from another origin.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} ({@code .ci/run} installs
 * them with apt-get). Without them the tests fail with one line; {@code PAIRGATE_SKIP_BROWSER=1}
 * skips them and says so.
 */
class ConsoleBrowserTest {
  static final String TOKEN = "tok-shared-0123456789abcdef";
  /** Debian's Chromium; the system property {@code pairgate.chromium} names another binary. */
  static final Path CHROMIUM = Path.of(System.getProperty("pairgate.chromium", "/usr/bin/chromium"));
  /** Debian's chromedriver; the system property {@code pairgate.chromedriver} names another. */
  static final Path CHROMEDRIVER =
      Path.of(System.getProperty("pairgate.chromedriver", "/usr/bin/chromedriver"));
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String IMG = "<img src=x onerror=alert(1)>";
  static final String ESCAPES = "\u001b[31mred\u001b[0m\u0007 \u202Eevil";
  /** How the console shows {@link #ESCAPES}: every control and bidi character as an escape. */
  static final String ESCAPES_SHOWN = "\\x1b[31mred\\x1b[0m\\x07 \\u202eevil";

  @TempDir Path tmp;
  JsonPairingStore store;
  PairgateGateway gw;
  ChromeDriver driver;

  @BeforeAll
  static void browserPresent() {
    if ("1".equals(System.getenv("PAIRGATE_SKIP_BROWSER"))) {
      System.out.println("[console browser test] SKIPPED: PAIRGATE_SKIP_BROWSER=1 is set, so the"
          + " operator console is not tested in a browser");
      Assumptions.abort("PAIRGATE_SKIP_BROWSER=1: browser tests of the console skipped");
    }
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail("chromium/chromium-driver not installed (" + CHROMIUM + ", " + CHROMEDRIVER
          + "): run 'apt-get install -y chromium chromium-driver' (.ci/run does), or set"
          + " PAIRGATE_SKIP_BROWSER=1 to skip the console's browser tests");
    }
  }

  @BeforeEach
  void start() throws IOException {
    store = JsonPairingStore.open(Files.createDirectory(tmp.resolve("store")));
    gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).autoApproveLocal(false)
        .start();
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + Files.createDirectory(tmp.resolve("chromium")),
        "--window-size=1280,1800");
    // an alert would stay open (not be dismissed by the driver), so the test can see it
    o.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
    // the page's console messages, to see Content-Security-Policy and Trusted Types violations
    o.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    driver = new ChromeDriver(service, o);
    driver.manage().timeouts().scriptTimeout(WAIT);
  }

  /** Fails on any CSP or Trusted Types violation the page reported so far. */
  void assertNoPolicyViolations() {
    List<String> bad = driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)
        .getAll().stream().map(org.openqa.selenium.logging.LogEntry::getMessage)
        .filter(m -> m.contains("Content Security Policy") || m.contains("Trusted Type")
            || m.contains("TrustedHTML") || m.contains("Uncaught"))
        .toList();
    assertEquals(List.of(), bad, "the console ran without policy violations or script errors");
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.quit();
    }
    gw.close();
    store.close();
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  WebDriverWait waiting() {
    return new WebDriverWait(driver, WAIT);
  }

  WebElement visible(String id) {
    return waiting().until(d -> {
      WebElement e = d.findElement(By.id(id));
      return e.isDisplayed() ? e : null;
    });
  }

  /** Opens the console, gives it the shared token, and returns its pending request id. */
  String openConsoleAndKnock() {
    driver.get(gw.consoleUrl());
    WebElement token = visible("gateway-token");
    assertEquals("Shared token", driver.findElement(By.cssSelector("label[for=gateway-token]"))
        .getText());
    token.sendKeys(TOKEN + "\n");
    visible("pairing-view");
    String requestId = waiting().until(d -> {
      String t = d.findElement(By.id("request-id")).getText();
      return t.isEmpty() ? null : t;
    });
    assertEquals("pairgate devices approve " + requestId,
        driver.findElement(By.id("approve-command")).getText());
    return requestId;
  }

  /** The console approved through the CLI's code path: a separate service on the same store. */
  String approvedConsole() {
    String requestId = openConsoleAndKnock();
    PairingService cli = PairingService.builder(store).build();
    PendingRequest r = cli.pendingRequest(RequestId.of(requestId)).orElseThrow();
    assertEquals("pairgate-console", r.client().clientId());
    cli.approve(RequestId.of(requestId), Approver.admin("cli"));
    visible("console-view");
    waiting().until(d -> d.findElement(By.id("status")).getText().startsWith("Connected"));
    return r.deviceId().value();
  }

  WsClient.Close closeOf(WsClient ws) {
    return ws.awaitClose();
  }

  /** A Java client knocking with {@code displayName}; returns its device and request id. */
  record Knock(Devices device, String requestId) {}

  Knock knock(String displayName, String... scopes) {
    Devices d = new Devices();
    d.client = new ClientInfo("cli", "cli", "linux", "", displayName, "test");
    JsonNode res = connect(d, scopes).response;
    assertEquals("NOT_PAIRED", res.path("error").path("code").asString(), res.toString());
    return new Knock(d, res.path("error").path("details").path("requestId").asString());
  }

  record Conn(WsClient ws, JsonNode response) {}

  Conn connect(Devices d, String... scopes) {
    WsClient ws = WsClient.open(gw.url());
    String nonce = ws.challenge();
    ConnectProof p = d.sign(nonce, Role.OPERATOR, List.of(scopes), AuthMethod.SHARED_TOKEN, TOKEN);
    ObjectNode params = WsClient.connectParams(p, TOKEN);
    return new Conn(ws, ws.response(ws.request("connect", params)));
  }

  WebElement request(String requestId) {
    return waiting().until(d -> d.findElements(
        By.cssSelector("article[data-request-id='" + requestId + "']")).stream().findFirst()
        .orElse(null));
  }

  static String card(String requestId) {
    return "article[data-request-id='" + requestId + "']";
  }

  /** The text of the first element matching {@code css}, waiting for it (lists re-render live). */
  String text(String css) {
    return waiting().ignoring(StaleElementReferenceException.class)
        .until(d -> d.findElements(By.cssSelector(css)).stream().findFirst()
            .map(WebElement::getText).orElse(null));
  }

  /** Clicks the first element matching {@code css}, retrying while the list re-renders. */
  void click(String css) {
    waiting().ignoring(StaleElementReferenceException.class).until(d -> {
      List<WebElement> e = d.findElements(By.cssSelector(css));
      if (e.isEmpty()) {
        return false;
      }
      e.get(0).click();
      return true;
    });
  }

  void confirm(String expectedTitleStart) {
    WebElement dialog = visible("confirm");
    assertTrue(dialog.findElement(By.id("confirm-title")).getText().startsWith(expectedTitleStart),
        dialog.getText());
    driver.findElement(By.id("confirm-ok")).click();
    waiting().until(d -> !d.findElement(By.id("confirm")).isDisplayed());
  }

  void assertNoAlert() {
    assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert(),
        "an alert fired: a device string was executed");
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void firstVisitApprovalThenApproveAndRevokeAJavaClientLive() throws Exception {
    String requestId = openConsoleAndKnock();
    String consoleId = driver.findElement(By.id("own-device-id")).getText();
    // the request in the store is the page's own, asking for operator.admin
    PendingRequest r = gw.pairing().pendingRequest(RequestId.of(requestId)).orElseThrow();
    assertEquals(consoleId, r.deviceId().value());
    assertEquals(List.of("operator.admin"), r.scopes().names());
    // its private key is a WebCrypto Ed25519 key that cannot be exported, kept in IndexedDB
    Object key = ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[0];"
            + "const r = indexedDB.open('pairgate-console', 1);"
            + "r.onsuccess = () => { const g = r.result.transaction('kv').objectStore('kv')"
            + ".get('identity'); g.onsuccess = () => { const k = g.result.privateKey;"
            + " done([k.algorithm.name, k.extractable, k.type, g.result.deviceId]); }; };");
    assertEquals(List.of("Ed25519", false, "private", consoleId), key);

    // approve it with the CLI's code path: the page switches to the console by itself
    PairingService cli = PairingService.builder(store).build();
    cli.approve(RequestId.of(requestId), Approver.admin("cli"));
    visible("console-view");
    ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");
    waiting().until(d -> d.findElement(By.id("status")).getText().startsWith("Connected"));
    assertTrue(store.load(new DeviceId(consoleId)).orElseThrow().paired() != null);

    // a Java client knocks: its request appears without a reload
    Knock k = knock("build agent", "operator.write");
    request(k.requestId());
    assertEquals(Boolean.TRUE,
        ((JavascriptExecutor) driver).executeScript("return window.__sameDocument === true;"));
    String card = card(k.requestId());
    assertEquals("build agent", text(card + " dd.display-name"));
    assertEquals("127.0.0.1", text(card + " dd.address"));
    assertEquals("direct_local", text(card + " dd.locality"));
    assertEquals("not-paired", text(card + " dd.reason"));
    String grants = text(card + " table.grants");
    assertTrue(grants.contains("operator.write requested no yes (new)"), grants);
    assertTrue(grants.contains("operator.read implied by the request no implied (new)"), grants);

    // every control has a name a screen reader can say
    assertEquals(0L, ((JavascriptExecutor) driver).executeScript(
        "return [...document.querySelectorAll('button')].filter(b => !(b.getAttribute('aria-label')"
            + " || b.textContent.trim())).length"
            + " + [...document.querySelectorAll('input')].filter(i => !document.querySelector("
            + "'label[for=\"' + i.id + '\"]')).length;"));

    // approve from the page with the keyboard alone, confirming a dialog that names the scopes
    String approveKey = "approve:" + k.requestId();
    for (int i = 0; i < 200 && !approveKey.equals(((JavascriptExecutor) driver).executeScript(
        "return document.activeElement && document.activeElement.getAttribute('data-key');"));
        i++) {
      new Actions(driver).sendKeys(Keys.TAB).perform(); // to whatever has the focus
    }
    assertEquals("Approve request from build agent", ((JavascriptExecutor) driver).executeScript(
        "return document.activeElement.getAttribute('aria-label');"), "Tab reaches Approve");
    new Actions(driver).sendKeys(Keys.ENTER).perform();
    WebElement dialog = visible("confirm");
    assertEquals("Approve build agent?", dialog.findElement(By.id("confirm-title")).getText());
    String items = dialog.findElement(By.id("confirm-items")).getText();
    assertTrue(items.contains("operator.write — new"), items);
    assertTrue(items.contains("operator.read (implied) — new"), items);
    assertTrue(items.contains("operator.talk (implied) — new"), items);
    assertEquals("confirm-ok", driver.switchTo().activeElement().getAttribute("id"));
    new Actions(driver).sendKeys(Keys.ENTER).perform();
    waiting().until(d -> d.findElements(
        By.cssSelector("article[data-request-id='" + k.requestId() + "']")).isEmpty());
    assertTrue(gw.pairing().device(new DeviceId(k.device().id())).isPresent());
    // the live audit tail shows the approval, made by the console's own device
    waiting().until(d -> d.findElements(By.cssSelector("#audit-list li[data-type=request-approved]"))
        .stream().anyMatch(li -> li.getText().contains("requestId=" + k.requestId())
            && li.getText().contains("approver=" + consoleId)));

    // the Java client's next connect is allowed
    Conn live = connect(k.device(), "operator.write");
    assertTrue(live.response().path("ok").asBoolean(), live.response().toString());

    // revoke from the page: the client's live socket closes
    click("tr[data-device-id='" + k.device().id() + "'] button[data-action=revoke][data-role=operator]");
    confirm("Revoke the operator token of build agent?");
    WsClient.Close c = live.ws().awaitClose();
    assertEquals(4001, c.code());
    assertEquals("device token revoked", c.reason());
    assertNoAlert();
    assertNoPolicyViolations();
  }

  @Test
  void hostileDisplayNamesRenderAsInertText() throws Exception {
    approvedConsole();
    Knock img = knock(IMG, "operator.write");
    Knock esc = knock(ESCAPES, "operator.pairing");
    request(img.requestId());
    request(esc.requestId());
    assertEquals(IMG, text(card(img.requestId()) + " dd.display-name"));
    assertEquals(IMG, text(card(img.requestId()) + " h3"));
    assertEquals(ESCAPES_SHOWN, text(card(esc.requestId()) + " dd.display-name"));
    // the exact DOM text (not what the renderer made of it), and no element came from a name
    JavascriptExecutor js = (JavascriptExecutor) driver;
    assertEquals(IMG, js.executeScript("return document.querySelector(arguments[0]).textContent;",
        card(img.requestId()) + " dd.display-name"));
    assertEquals(0L, js.executeScript("return document.getElementsByTagName('img').length;"));
    assertEquals(0L, js.executeScript(
        "return document.querySelectorAll('[onerror], [onload], [onclick]').length;"));
    Thread.sleep(300); // an onerror handler would have run by now
    assertNoAlert();
    assertEquals(2L, js.executeScript(
        "return document.querySelectorAll('#pending-list article').length;"));
    Path shot = Path.of("target", "console-two-pending.png");
    Files.createDirectories(shot.getParent());
    Files.write(shot, driver.getScreenshotAs(OutputType.BYTES));
    assertTrue(Files.size(shot) > 10_000, "screenshot written: " + shot.toAbsolutePath());
    System.out.println("[console browser test] screenshot: " + shot.toAbsolutePath());

    // the hostile names after approval, in the paired table
    click(card(img.requestId()) + " button[data-action=approve]");
    confirm("Approve " + IMG);
    assertEquals(IMG, text("tr[data-device-id='" + img.device().id() + "'] .display-name"));
    assertNoAlert();

    // the explain view of the other request: core's explanation, as text
    click(card(esc.requestId()) + " button[data-action=explain]");
    waiting().until(d -> d.findElement(By.id("explain-output")).getText()
        .startsWith("request " + esc.requestId() + ": pending"));
    assertEquals("explain-output", driver.switchTo().activeElement().getAttribute("id"));
    assertTrue(driver.findElement(By.id("explain-output")).getText()
        .contains("approver needs: [operator.pairing]"),
        driver.findElement(By.id("explain-output")).getText());
    assertNoPolicyViolations();
  }

  @Test
  void renameRotateBlockUnblockAndRemoveFromThePage() throws Exception {
    approvedConsole();
    Devices d = new Devices();
    d.client = new ClientInfo("cli", "cli", "linux", "", "laptop", "test");
    String rid = connect(d, "operator.read").response().path("error").path("details")
        .path("requestId").asString();
    gw.pairing().approve(RequestId.of(rid), Approver.admin("test"));
    Conn live = connect(d, "operator.read");
    assertTrue(live.response().path("ok").asBoolean(), live.response().toString());
    String row = "tr[data-device-id='" + d.id() + "']";
    assertEquals("laptop", text(row + " .display-name"));

    // rename: the dialog's labelled input
    click(row + " button[data-action=rename]");
    visible("confirm");
    WebElement input = driver.findElement(By.id("confirm-input"));
    assertEquals("confirm-input", driver.switchTo().activeElement().getAttribute("id"));
    input.sendKeys("kitchen tablet");
    driver.findElement(By.id("confirm-ok")).click();
    waiting().ignoring(StaleElementReferenceException.class)
        .until(x -> text(row + " .display-name").equals("kitchen tablet"));
    assertEquals("kitchen tablet", gw.pairing().device(d.key.deviceId()).orElseThrow().label());

    // rotate: the device's live socket closes, and the page never sees the new token
    click(row + " button[data-action=rotate][data-role=operator]");
    confirm("Rotate the operator token of kitchen tablet?");
    WsClient.Close c = live.ws().awaitClose();
    assertEquals(4001, c.code());
    assertEquals("device token rotated", c.reason());

    // block: into the blocked list; unblock: out again
    click(row + " button[data-action=block]");
    confirm("Block kitchen tablet?");
    assertEquals(d.id(), text("#blocked-list li[data-device-id='" + d.id() + "'] code"));
    assertTrue(store.load(d.key.deviceId()).orElseThrow().blocked());
    click("#blocked-list li[data-device-id='" + d.id() + "'] button[data-action=unblock]");
    confirm("Unblock");
    waiting().until(x -> x.findElements(By.cssSelector("#blocked-list li")).isEmpty());

    // remove: the row goes, the record goes
    click(row + " button[data-action=remove]");
    confirm("Remove kitchen tablet?");
    waiting().until(x -> x.findElements(By.cssSelector(row)).isEmpty());
    assertTrue(gw.pairing().device(d.key.deviceId()).isEmpty());
    // cancelling a dialog changes nothing (Escape)
    String own = (String) ((JavascriptExecutor) driver).executeScript(
        "return document.querySelector('#paired-body tr').getAttribute('data-device-id');");
    click("tr[data-device-id='" + own + "'] button[data-action=remove]");
    visible("confirm");
    new Actions(driver).sendKeys(Keys.ESCAPE).perform();
    waiting().until(x -> !x.findElement(By.id("confirm")).isDisplayed());
    assertTrue(gw.pairing().device(new DeviceId(own)).isPresent());

    // the console rotates its own token: it receives the new one and reconnects with it
    io.pairgate.DeviceToken before = gw.pairing().device(new DeviceId(own)).orElseThrow()
        .token(Role.OPERATOR);
    click("tr[data-device-id='" + own + "'] button[data-action=rotate][data-role=operator]");
    confirm("Rotate the operator token of Pairgate console?");
    waiting().until(x -> !gw.pairing().device(new DeviceId(own)).orElseThrow()
        .token(Role.OPERATOR).equals(before));
    io.pairgate.DeviceToken after = gw.pairing().device(new DeviceId(own)).orElseThrow()
        .token(Role.OPERATOR);
    // (the status said "Removed …", then "Rotated …", "Disconnected: 4001 …"; now connected again)
    waiting().until(x -> text("#status").startsWith("Connected"));
    // with the new token, which it keeps in IndexedDB
    Object kept = ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[0];"
            + "const r = indexedDB.open('pairgate-console', 1);"
            + "r.onsuccess = () => { const g = r.result.transaction('kv').objectStore('kv')"
            + ".get('token'); g.onsuccess = () => done(g.result); };");
    assertTrue(after.matches(String.valueOf(kept)), "the console holds its new token");
    assertTrue(gw.pairing().pendingRequestOf(new DeviceId(own)).isEmpty(),
        "no new pairing request: the console kept its access");
    assertNoPolicyViolations();
  }

  @Test
  void aPageFromAnotherOriginCannotOpenASession() throws Exception {
    HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    int[] gatewayPort = {gw.port()};
    other.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      byte[] body;
      String type;
      switch (path) {
        case "/console" -> {
          // the console itself, copied to another origin and pointed at the gateway
          body = resource("index.html").replace("<title>",
              "<meta name=\"pairgate-gateway\" content=\"ws://127.0.0.1:" + gatewayPort[0]
                  + "/\">\n<title>").getBytes(StandardCharsets.UTF_8);
          type = "text/html";
        }
        case "/console/console.js" -> {
          body = resource("console.js").getBytes(StandardCharsets.UTF_8);
          type = "text/javascript";
        }
        case "/console/console.css" -> {
          body = resource("console.css").getBytes(StandardCharsets.UTF_8);
          type = "text/css";
        }
        default -> {
          body = new byte[0];
          type = "text/plain";
        }
      }
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(body.length == 0 ? 404 : 200, body.length == 0 ? -1 : body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    other.start();
    try {
      String url = "http://127.0.0.1:" + other.getAddress().getPort() + "/console";
      driver.get(url);
      waiting().until(d -> d.findElement(By.id("status")).getText().contains("origin not allowed"));
      assertTrue(driver.findElement(By.id("status")).getText().contains("is neither the gateway's"
          + " own origin"), driver.findElement(By.id("status")).getText());
      assertFalse(driver.findElement(By.id("console-view")).isDisplayed());
      assertFalse(driver.findElement(By.id("pairing-view")).isDisplayed());
      // nothing was asked of the service: no request, no record, no session
      assertTrue(store.list("", 10).isEmpty());
      assertEquals(0, gw.connections());

      // the same page is let in when its origin is allowed: the origin was the only reason
      gw.close();
      gw = PairgateGateway.builder(store).port(0).sharedToken(TOKEN).autoApproveLocal(false)
          .allowedOrigins(List.of("http://127.0.0.1:" + other.getAddress().getPort())).start();
      gatewayPort[0] = gw.port();
      driver.get(url);
      visible("token-view");
    } finally {
      other.stop(0);
    }
  }

  static String resource(String name) throws IOException {
    try (InputStream in = ConsoleBrowserTest.class.getResourceAsStream(
        "/io/pairgate/gateway/console/" + name)) {
      assertNotNull(in, name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
