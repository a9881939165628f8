import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { resolveSettings } from '../../infra/settings';
import { describeInBrowser, launchBrowser, phone, printScreenshots, screenshot, watchConsole } from '../support/browser';
import { LocalStack } from '../support/local-stack';
import { StoreMailbox, linkTo, waitForEmail } from '../support/mailbox';

jest.setTimeout(120_000);

const cakeMakerEmail = resolveSettings().cakeMakerEmail;

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

  async function placeOrder(page: Page, customer: Customer, shotName?: string): Promise<{ orderId: string; statusUrl: string }> {
    await page.goto(`${shop}/`);
    await page.getByLabel('Your name').fill(customer.name);
    await page.getByLabel('Email address').fill(customer.email);
    await page.getByLabel('Delivery address').fill('12 Analytical Row\nLondon');
    await page.getByLabel('Cake', { exact: true }).selectOption({ label: 'Lemon drizzle cake' });
    await page.getByLabel('How many').fill('2');
    await page.getByLabel('Message on the cake (optional)').fill('Happy birthday, Charles!');
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

  it('GIVEN the demo shop WHEN a customer orders, the cake maker fulfils from the email and the customer confirms with a rating THEN the order is COMPLETED and /ops shows SUCCEEDED with the whole path', async () => {
    const page = await browser.newPage();
    const problems = watchConsole(page);
    const customer = newCustomer();

    const { orderId, statusUrl } = await placeOrder(page, customer, 'shop-order-form');
    await screenshot(page, 'shop-order-placed');

    const bakeEmail = await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'New order to bake', mentioning: orderId });
    await page.goto(linkTo(bakeEmail, 'fulfill'));
    await screenshot(page, 'cake-maker-fulfil-page');
    await page.getByRole('button', { name: 'Mark the cake ready' }).click();
    await page.waitForLoadState();
    await screenshot(page, 'cake-maker-fulfilled');

    const onItsWay = await waitForEmail(mailbox, { to: customer.email, subject: 'is on its way', mentioning: orderId });
    await page.goto(linkTo(onItsWay, 'delivered'));
    await page.check('#rating-5');
    await page.fill('#comment', 'Perfectly lemony.');
    await screenshot(page, 'customer-delivery-page');
    await page.getByRole('button', { name: 'Confirm delivery' }).click();
    await page.waitForLoadState();

    expect(await statusPageSays(page, statusUrl, 'Completed')).toContain('Completed');
    await screenshot(page, 'customer-status-completed');
    await opsShows(page, orderId, 'SUCCEEDED');
    await screenshot(page, 'ops-execution-succeeded');
    expect(await page.textContent('#path-text')).toContain(
      'Path: Load Settings → Send Order Confirmation → Ask Cake Maker → Notify Delivery Company → Await Delivery Confirmation → Forward Feedback → Complete Order → Order Completed.',
    );
    expect(await page.locator('#graph svg g.node.visited').count()).toBe(8);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('GIVEN an order waiting for the cake maker WHEN the customer cancels from the confirmation email THEN the order is CANCELLED and /ops marks the caught error in Ask Cake Maker', async () => {
    const page = await browser.newPage();
    const customer = newCustomer();
    const { orderId, statusUrl } = await placeOrder(page, customer);
    await waitForEmail(mailbox, { to: cakeMakerEmail, subject: 'New order to bake', mentioning: orderId });
    const received = await waitForEmail(mailbox, { to: customer.email, subject: 'We have your order', mentioning: orderId });

    await page.goto(linkTo(received, 'cancel'));
    await page.getByRole('button', { name: 'Cancel my order' }).click();
    await page.waitForLoadState();

    expect(await statusPageSays(page, statusUrl, 'Cancelled')).toContain('Cancelled');
    await opsShows(page, orderId, 'SUCCEEDED');
    await screenshot(page, 'ops-execution-cancelled');
    expect(await page.textContent('#path-text')).toContain('Error caught in: Ask Cake Maker.');
    expect(await page.textContent('#path-text')).toContain('Mark Order Cancelled By Customer → Tell Cake Maker Order Cancelled → Order Cancelled.');
    expect(await page.locator('#graph svg g.node.caught').count()).toBe(1);
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
    expect(await page.textContent('#name-error')).toContain('name must not be empty');
    expect(await page.textContent('#email-error')).toContain('email must look like name@example.com');
    expect(await page.getAttribute('#email', 'aria-invalid')).toBe('true');
    expect(await page.inputValue('#address')).toBe('1 Cake Lane');
    await screenshot(page, 'shop-validation-errors');
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

  it('GIVEN a phone 360 px wide WHEN the shop, the executions list and an execution page open THEN none of them scrolls sideways', async () => {
    const page = await browser.newPage({ viewport: phone });
    const { orderId } = await placeOrder(page, newCustomer());
    await screenshot(page, 'phone-order-placed');

    for (const [path, name] of [
      ['/', 'phone-shop'],
      ['/ops', 'phone-ops-list'],
      [`/ops/executions/order-${orderId}`, 'phone-ops-execution'],
    ]) {
      await page.goto(`${shop}${path}`);
      if (path.startsWith('/ops/executions/')) await page.waitForSelector('#graph[data-rendered="true"]');

      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(phone.width);
      await screenshot(page, name);
    }
    await page.close();
  });
});
