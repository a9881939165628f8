import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { shopSettings } from '../steps/shop';
import {
  accessibilityProblems,
  describeInBrowser,
  desktop,
  firstFocus,
  launchBrowser,
  phone,
  printScreenshots,
  readmeScreenshot,
  screenshot,
  scrollsSideways,
  watchConsole,
  watchForeignRequests,
} from '../support/browser';
import { LocalStack } from '../support/local-stack';
import { StoreMailbox, linkTo, waitForEmail } from '../support/mailbox';
import { happyPath, pathInWords } from '../steps/order-paths';

jest.setTimeout(120_000);

const settings = shopSettings();
const cakeMakerEmail = settings.cakeMakerEmail;

/** Polls until `probe` finds what it looks for; the workflow moves on its own after each click. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Customer {
  name: string;
  email: string;
}

const newCustomer = (): Customer => ({ name: 'Ada Lovelace', email: `ada-${randomUUID().slice(0, 8)}@example.com` });

describeInBrowser('the cake shop in Chromium, on the whole local stack', () => {
  let stack: LocalStack;
  let browser: Browser;
  let mailbox: StoreMailbox;
  let shop: string;

  beforeAll(async () => {
    stack = await LocalStack.start();
    shop = stack.urls.shop;
    mailbox = new StoreMailbox(stack.urls.email);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    printScreenshots();
  });

  async function fillOrderForm(page: Page, customer: Customer): Promise<void> {
    await page.getByLabel('Your name').fill(customer.name);
    await page.getByLabel('Email address').fill(customer.email);
    await page.getByLabel('Delivery address').fill('12 Analytical Row\nLondon');
    await page.getByLabel('Cake', { exact: true }).selectOption({ label: 'Lemon drizzle cake' });
    await page.getByLabel('How many').fill('2');
    await page.getByLabel('Message on the cake (optional)').fill('Happy birthday, Charles!');
  }

  async function placeOrder(page: Page, customer: Customer, shotName?: string): Promise<{ orderId: string; statusUrl: string }> {
    await page.goto(`${shop}/`);
    await fillOrderForm(page, customer);
    if (shotName) await screenshot(page, shotName);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForSelector('.order-id');
    return {
      orderId: (await page.textContent('.order-id')) ?? '',
      statusUrl: (await page.getAttribute('a.button', 'href')) ?? '',
    };
  }

  async function statusPageSays(page: Page, statusUrl: string, label: string): Promise<string> {
    return eventually(`the status page to say ${label}`, async () => {
      await page.goto(statusUrl);
      const heading = (await page.textContent('h1')) ?? '';
      return heading.includes(label) ? heading : undefined;
    });
  }

  async function opsShows(page: Page, orderId: string, status: string): Promise<void> {
    await eventually(`order-${orderId} to be ${status} in /ops`, async () => {
      await page.goto(`${shop}/ops/executions/order-${orderId}`);
      return (await page.locator(`.status-${status.toLowerCase()}`).count()) > 0 ? true : undefined;
    });
    await page.waitForSelector('#graph[data-rendered="true"]');
  }

  /** Opens a page and answers its HTTP status, its main heading and how many forms it offers. */
  async function open(page: Page, url: string): Promise<{ status: number; heading: string; forms: number }> {
    const response = await page.goto(url);
    return { status: response?.status() ?? 0, heading: ((await page.textContent('h1')) ?? '').trim(), forms: await page.locator('form').count() };
  }

  /**
   * Every page a person sees in an order's life, in the order they see them: the shop with its validation
   * errors, the customer's cancel page, ops watching the running execution and its stop confirmation, the cake
   * maker's page and its result, the customer's delivery page and its result, the status page, a used link,
   * and ops looking at the finished execution. `look` runs on each; the walk itself needs no JavaScript.
   */
  async function walkThroughEveryPage(options: BrowserContextOptions, look: (page: Page, name: string) => Promise<void>): Promise<void> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    const scripted = options.javaScriptEnabled !== false;
    const customer = newCustomer();

    await page.goto(`${shop}/`);
    await look(page, 'shop-order-form');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForSelector('.error-summary');
    await look(page, 'shop-validation-errors');
    const { orderId, statusUrl } = await placeOrder(page, customer);
    await look(page, 'shop-order-placed');

    const received = await waitForEmail(mailbox, { to: customer.email, subject: 'We have your order', mentioning: orderId });
    await page.goto(linkTo(received, 'cancel'));
    await look(page, 'customer-cancel-page');

    const bakeEmail = await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'New order to bake', mentioning: orderId });
    await page.goto(`${shop}/ops/executions/order-${orderId}`);
    if (scripted) await page.waitForSelector('#graph[data-rendered="true"]');
    await look(page, 'ops-execution-running');
    await page.getByRole('link', { name: 'Stop execution…' }).click();
    await look(page, 'ops-confirm-stop');

    await page.goto(linkTo(bakeEmail, 'fulfill'));
    await look(page, 'cake-maker-fulfil-page');
    await page.getByRole('button', { name: 'Mark the cake ready' }).click();
    await page.waitForLoadState();
    await look(page, 'cake-maker-fulfilled');

    const onItsWay = await waitForEmail(mailbox, { to: customer.email, subject: 'is on its way', mentioning: orderId });
    await page.goto(linkTo(onItsWay, 'delivered'));
    await page.check('#rating-4');
    await page.fill('#comment', 'Lovely, a little too sweet.');
    await look(page, 'customer-delivery-page');
    await page.getByRole('button', { name: 'Confirm delivery' }).click();
    await page.waitForLoadState();
    await look(page, 'customer-delivered');

    await statusPageSays(page, statusUrl, 'Completed');
    await look(page, 'customer-status-completed');
    await page.goto(linkTo(bakeEmail, 'fulfill'));
    await look(page, 'cake-maker-link-used');

    await page.goto(`${shop}/ops`);
    await look(page, 'ops-list');
    await eventually('the execution to succeed', async () => {
      await page.goto(`${shop}/ops/executions/order-${orderId}`);
      return (await page.locator('.status-succeeded').count()) > 0 ? true : undefined;
    });
    if (scripted) await page.waitForSelector('#graph[data-rendered="true"]');
    await look(page, 'ops-execution-succeeded');
    await context.close();
  }

  it('GIVEN the demo shop WHEN a customer orders, the cake maker fulfils from the email and the customer confirms with a rating THEN the order is COMPLETED and /ops shows SUCCEEDED with the whole path', async () => {
    const page = await browser.newPage();
    const problems = watchConsole(page);
    const foreign = watchForeignRequests(page);
    const customer = newCustomer();

    const { orderId, statusUrl } = await placeOrder(page, customer, 'shop-order-form');
    await screenshot(page, 'shop-order-placed');

    const bakeEmail = await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'New order to bake', mentioning: orderId });
    await page.goto(linkTo(bakeEmail, 'fulfill'));
    await screenshot(page, 'cake-maker-fulfil-page');
    await readmeScreenshot(page, 'cake-maker-page', phone, true);
    await page.getByRole('button', { name: 'Mark the cake ready' }).click();
    await page.waitForLoadState();
    expect(await page.textContent('h1')).toBe('Thank you: the cake is marked ready');
    expect(await page.getAttribute('a[href$="/order/' + orderId + '"]', 'href')).toBe(statusUrl);
    await screenshot(page, 'cake-maker-fulfilled');

    const onItsWay = await waitForEmail(mailbox, { to: customer.email, subject: 'is on its way', mentioning: orderId });
    await page.goto(linkTo(onItsWay, 'delivered'));
    await page.check('#rating-5');
    await page.fill('#comment', 'Perfectly lemony.');
    await screenshot(page, 'customer-delivery-page');
    await readmeScreenshot(page, 'customer-page', phone, true);
    await page.getByRole('button', { name: 'Confirm delivery' }).click();
    await page.waitForLoadState();
    expect(await page.textContent('h1')).toBe('Thank you for confirming delivery');
    const feedback = await waitForEmail(mailbox, { to: settings.customerServiceEmail, subject: 'Customer feedback', mentioning: orderId });
    expect(feedback.body.text).toContain('Rating: 5 out of 5');
    expect(feedback.body.text).toContain('Comment: Perfectly lemony.');

    expect(await statusPageSays(page, statusUrl, 'Completed')).toContain('Completed');
    await screenshot(page, 'customer-status-completed');
    await opsShows(page, orderId, 'SUCCEEDED');
    await screenshot(page, 'ops-execution-succeeded');
    await readmeScreenshot(page, 'ops-execution', desktop);
    expect(await page.textContent('#path-text')).toContain(
      pathInWords(happyPath({ rated: true })),
    );
    expect(await page.locator('#graph svg g.node.visited').count()).toBe(happyPath({ rated: true }).length);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('GIVEN an order waiting for the cake maker WHEN the customer cancels from the confirmation email THEN the order is CANCELLED, the customer is sent a confirmation and /ops marks the caught error in Ask Cake Maker', async () => {
    const page = await browser.newPage();
    const customer = newCustomer();
    const { orderId, statusUrl } = await placeOrder(page, customer);
    await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'New order to bake', mentioning: orderId });
    const received = await waitForEmail(mailbox, { to: customer.email, subject: 'We have your order', mentioning: orderId });

    await page.goto(linkTo(received, 'cancel'));
    expect(await page.textContent('dt:has-text("Ordered") + dd')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    await page.getByRole('button', { name: 'Cancel my order' }).click();
    await page.waitForLoadState();
    expect(await page.textContent('h1')).toBe('Your order is cancelled');
    const toldCakeMaker = await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'Cancelled: order', mentioning: orderId });
    expect(toldCakeMaker.body.text).toContain(`Customer: ${customer.name}`);
    await waitForEmail(mailbox, { to: customer.email, subject: 'You cancelled your order', mentioning: orderId });

    expect(await statusPageSays(page, statusUrl, 'Cancelled')).toContain('Cancelled');
    await opsShows(page, orderId, 'SUCCEEDED');
    await screenshot(page, 'ops-execution-cancelled');
    expect(await page.textContent('#path-text')).toContain('Error caught in: Ask Cake Maker.');
    expect(await page.textContent('#path-text')).toContain('Mark Order Cancelled By Customer → Publish Order Cancelled By Customer → Tell Cake Maker Order Cancelled → Confirm Cancellation To Customer → Order Cancelled.');
    expect(await page.locator('#graph svg g.node.caught').count()).toBe(1);
    await page.close();
  });

  it('GIVEN a customer whose name and cake message carry markup WHEN the cake maker and ops open the order THEN both pages show the markup as text and run none of it', async () => {
    const page = await browser.newPage();
    const problems = watchConsole(page);
    const customer = { name: '<img src=x onerror=alert(1)> Mallory', email: `mallory-${randomUUID().slice(0, 8)}@example.com` };
    await page.goto(`${shop}/`);
    await page.getByLabel('Your name').fill(customer.name);
    await page.getByLabel('Email address').fill(customer.email);
    await page.getByLabel('Delivery address').fill('1 <b>Bold</b> Street');
    await page.getByLabel('Message on the cake (optional)').fill('"><script>alert(2)</script>');
    await page.getByRole('button', { name: 'Place order' }).click();
    const orderId = (await page.textContent('.order-id')) ?? '';
    const bakeEmail = await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'New order to bake', mentioning: orderId });

    await page.goto(linkTo(bakeEmail, 'fulfill'));
    const makerSees = await page.textContent('dl');
    const makerImages = await page.locator('main img, main script, main b').count();
    await page.goto(`${shop}/ops/executions/order-${orderId}`);
    await page.waitForSelector('#graph[data-rendered="true"]');
    const opsSees = await page.textContent('.order');

    expect(makerSees).toContain('<img src=x onerror=alert(1)> Mallory');
    expect(makerSees).toContain('"><script>alert(2)</script>');
    expect(makerSees).toContain('1 <b>Bold</b> Street');
    expect(makerImages).toBe(0);
    expect(opsSees).toContain('<img src=x onerror=alert(1)> Mallory');
    expect(await page.locator('.order img, .order script').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('GIVEN links that can no longer act, or were never right WHEN they are opened THEN each page says why with its own HTTP status and offers no button', async () => {
    const page = await browser.newPage();
    const customer = newCustomer();
    const { orderId } = await placeOrder(page, customer);
    const received = await waitForEmail(mailbox, { to: customer.email, subject: 'We have your order', mentioning: orderId });
    const bakeEmail = await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'New order to bake', mentioning: orderId });
    const fulfilLink = new URL(linkTo(bakeEmail, 'fulfill'));
    const wrongCode = new URL(fulfilLink);
    wrongCode.searchParams.set('code', 'B'.repeat(43));
    const unknownOrder = new URL(fulfilLink.href.replace(orderId, randomUUID()));

    const wrong = await open(page, wrongCode.href);
    await screenshot(page, 'link-wrong-code');
    const missing = await open(page, unknownOrder.href);
    await page.goto(linkTo(received, 'cancel'));
    await page.getByRole('button', { name: 'Cancel my order' }).click();
    await page.waitForLoadState();
    const cancelledAgain = await open(page, linkTo(received, 'cancel'));
    await screenshot(page, 'link-already-done');
    const cancelledForMaker = await open(page, fulfilLink.href);
    await screenshot(page, 'link-order-cancelled');

    expect(wrong).toEqual({ status: 403, heading: 'This link is not valid', forms: 0 });
    expect(missing).toEqual({ status: 404, heading: 'Order not found', forms: 0 });
    expect(cancelledAgain).toEqual({ status: 200, heading: 'Already cancelled', forms: 0 });
    expect(cancelledForMaker).toEqual({ status: 409, heading: 'This order was cancelled', forms: 0 });
    await page.close();
  });

  it('GIVEN an order the cake maker never confirmed WHEN its cake maker opens the link after it was cancelled for lateness THEN a 410 page says it expired', async () => {
    const page = await browser.newPage();
    const { orderId, statusUrl } = await placeOrder(page, newCustomer());
    const bakeEmail = await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'New order to bake', mentioning: orderId });
    await stack.advanceClock(settings.reminderAfterSeconds);
    await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'Reminder', mentioning: orderId });
    await stack.advanceClock(settings.cancelAfterSeconds);
    await statusPageSays(page, statusUrl, 'Cancelled');

    const expired = await open(page, linkTo(bakeEmail, 'fulfill'));

    expect(expired).toEqual({ status: 410, heading: 'This order has expired', forms: 0 });
    await screenshot(page, 'link-expired');
    await page.close();
  });

  it('GIVEN an order waiting for the cake maker WHEN ops stop it from /ops and then redrive it THEN it is ABORTED and afterwards waits in Ask Cake Maker again', async () => {
    const page = await browser.newPage();
    const { orderId } = await placeOrder(page, newCustomer());
    await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'New order to bake', mentioning: orderId });
    await opsShows(page, orderId, 'RUNNING');

    await page.getByRole('link', { name: 'Stop execution…' }).click();
    await screenshot(page, 'ops-confirm-stop');
    await page.getByRole('button', { name: 'Stop execution' }).click();
    await page.waitForSelector('.status-aborted');
    await screenshot(page, 'ops-execution-aborted');
    expect(await page.textContent('#path-text')).toContain('Ended with failure in: Ask Cake Maker.');

    await page.getByRole('link', { name: 'Redrive execution…' }).click();
    await page.getByRole('button', { name: 'Redrive execution' }).click();
    await page.waitForSelector('.status-running');
    await eventually('the redriven execution to wait in Ask Cake Maker', async () => {
      await page.reload();
      return ((await page.textContent('#path-text')) ?? '').includes('Now in: Ask Cake Maker.') ? true : undefined;
    });
    expect(await page.textContent('.summary')).toContain('Redrives1');
    await page.close();
  });

  it('GIVEN the order form WHEN it is sent without a name and with a malformed email THEN the shop shows each problem next to its field and keeps what was typed', async () => {
    const page = await browser.newPage();
    await page.goto(`${shop}/`);
    await page.getByLabel('Email address').fill('not-an-email');
    await page.getByLabel('Delivery address').fill('1 Cake Lane');

    const [response] = await Promise.all([page.waitForResponse((candidate) => candidate.request().method() === 'POST'), page.getByRole('button', { name: 'Place order' }).click()]);
    await page.waitForSelector('.error-summary');

    expect(response.status()).toBe(400);
    expect(await page.textContent('#name-error')).toContain('Your name must not be empty');
    expect(await page.textContent('#email-error')).toContain('Email address must look like name@example.com');
    expect(await page.getAttribute('#email', 'aria-invalid')).toBe('true');
    expect(await page.inputValue('#address')).toBe('1 Cake Lane');
    await screenshot(page, 'shop-validation-errors');
    await page.close();
  });

  it('GIVEN a cake the shop does not sell and a quantity of 0 WHEN the form is sent THEN the errors say "Cake" and "How many", as the labels do, and never the API\'s field names', async () => {
    const page = await browser.newPage();
    await page.goto(`${shop}/`);
    await fillOrderForm(page, newCustomer());
    await page.locator('#productId option').first().evaluate((option) => option.setAttribute('value', 'pavlova'));
    await page.getByLabel('Cake', { exact: true }).selectOption('pavlova');
    await page.getByLabel('How many').fill('0');

    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForSelector('.error-summary');

    expect(await page.textContent('#productId-error')).toBe('Cake: choose one of the cakes in the list.');
    expect(await page.textContent('#quantity-error')).toBe('How many: enter a whole number from 1 to 20.');
    expect(await page.textContent('.error-summary')).not.toMatch(/productId|quantity|pavlova/);
    await page.close();
  });

  it('GIVEN an order placed from the demo shop WHEN the customer presses Back and "Place order" again THEN the shop answers with the same order and Forward shows its thank-you page again', async () => {
    const page = await browser.newPage();
    const customer = newCustomer();
    const first = await placeOrder(page, customer);
    const thankYouAddress = page.url();

    await page.goBack();
    if ((await page.inputValue('#name')) === '') await fillOrderForm(page, customer);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForSelector('.order-id');
    const second = (await page.textContent('.order-id')) ?? '';
    await page.goBack();
    const forward = await page.goForward();

    expect(second).toBe(first.orderId);
    expect(thankYouAddress).toBe(`${shop}/order-placed/${first.orderId}`);
    expect(forward?.status()).toBe(200);
    expect(await page.textContent('.order-id')).toBe(first.orderId);
    await page.close();
  });

  it('GIVEN the order form posted twice with the same hidden key, as a double click does WHEN both answers arrive THEN both name the same order', async () => {
    const form = await (await fetch(`${shop}/`)).text();
    const idempotencyKey = /name="idempotencyKey" value="([^"]+)"/.exec(form)?.[1] ?? '';
    const customer = newCustomer();
    const body = new URLSearchParams({ ...customer, address: '1 Cake Lane', productId: 'carrot-cake', quantity: '1', message: '', idempotencyKey }).toString();
    const send = async () => {
      const response = await fetch(`${shop}/`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: shop }, body });
      return /<strong class="order-id">([^<]+)<\/strong>/.exec(await response.text())?.[1];
    };

    const first = await send();
    const second = await send();

    expect(idempotencyKey).not.toBe('');
    expect(first).toBeDefined();
    expect(second).toBe(first);
  });

  it('GIVEN an order placed from a form WHEN the same form is sent again with other details THEN the page says the form was used and offers a new order, in the page\'s words', async () => {
    const form = await (await fetch(`${shop}/`)).text();
    const idempotencyKey = /name="idempotencyKey" value="([^"]+)"/.exec(form)?.[1] ?? '';
    const send = (quantity: string) =>
      fetch(`${shop}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: shop },
        body: new URLSearchParams({ ...newCustomer(), address: '1 Cake Lane', productId: 'carrot-cake', quantity, message: '', idempotencyKey }).toString(),
      });
    await send('1');

    const changed = await send('2');
    const page = await changed.text();

    expect(changed.status).toBe(409);
    expect(page).toContain('This form has already placed an order with other details.');
    expect(page).toContain('<a href="/">Start a new order</a>');
    expect(page).not.toContain('Idempotency-Key');
  });

  it('GIVEN the cake maker\'s email WHEN it is opened in the local email viewer THEN its HTML names the cake, the customer and the button link, in the shop\'s font, and fits a phone', async () => {
    const page = await browser.newPage();
    const customer = { name: 'Grace Hopper', email: `grace-${randomUUID().slice(0, 8)}@example.com` };
    const { orderId } = await placeOrder(page, customer);
    const bakeEmail = await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'New order to bake', mentioning: orderId });

    await page.goto(`${stack.urls.email}/`);
    const card = page.locator('.email', { hasText: orderId }).filter({ hasText: 'New order to bake' });
    await card.getByRole('button', { name: 'Toggle HTML view' }).click();
    const email = await page.locator(`iframe[id="${bakeEmail.messageId}-html-iframe"]`).contentFrame().locator('html').elementHandle();
    const view = await email?.ownerFrame();
    if (!view) throw new Error('The viewer shows no HTML view of the email');
    const button = view.getByRole('link', { name: 'Mark the cake ready' });

    expect(await button.getAttribute('href')).toBe(linkTo(bakeEmail, 'fulfill'));
    expect(await view.textContent('body')).toContain('Lemon drizzle cake');
    expect(await view.textContent('body')).toContain('Grace Hopper');
    expect(await view.evaluate<string>("getComputedStyle(document.querySelector('p')).fontFamily")).toMatch(/^Arial/);
    await screenshot(card, 'email-viewer-cake-maker');

    await page.setViewportSize(phone);

    expect(await view.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth')).toBe(false);
    await screenshot(card, 'email-viewer-cake-maker-phone');
    await page.close();
  });

  it('GIVEN every page of an order\'s life WHEN axe-core checks each in Chromium THEN none breaks a WCAG 2.1 A/AA rule and keyboard focus is always drawn', async () => {
    const problems: string[] = [];

    await walkThroughEveryPage({}, async (page, name) => {
      problems.push(...(await accessibilityProblems(page)).map((problem) => `${name}: ${problem}`));
      const focus = await firstFocus(page);
      if (focus && (focus.outlineStyle === 'none' || focus.outlineWidth === '0px')) problems.push(`${name}: ${focus.element} shows no focus outline`);
    });

    expect(problems).toEqual([]);
  });

  it('GIVEN a phone 360 px wide WHEN every page of an order\'s life opens THEN none scrolls sideways', async () => {
    const wide: string[] = [];

    await walkThroughEveryPage({ viewport: phone }, async (page, name) => {
      if (await scrollsSideways(page)) wide.push(name);
      await screenshot(page, `phone-${name}`);
    });

    expect(wide).toEqual([]);
  });

  it('GIVEN JavaScript turned off WHEN a whole order is walked through, from the shop to ops THEN every page works, with the path written out in place of the drawing', async () => {
    const paths: string[] = [];

    await walkThroughEveryPage({ javaScriptEnabled: false }, async (page, name) => {
      if (name.startsWith('ops-execution')) paths.push((await page.textContent('#path-text')) ?? '');
    });

    expect(paths).toEqual([
      `${pathInWords(happyPath({ rated: true }).slice(0, 4))} Now in: Ask Cake Maker.`,
      pathInWords(happyPath({ rated: true })),
    ]);
  });
});
