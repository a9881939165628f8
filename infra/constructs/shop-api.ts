import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { shopCors } from '../cors';
import type { Route } from '../routes';
import type { HandlerName } from '../wiring';

/** A small shop: enough headroom for a busy day, low enough that a runaway client cannot run up the bill. */
export const apiThrottle = { rateLimit: 50, burstLimit: 100 } as const;

/**
 * One JSON line per request. It names the route template, never the path or query string: links carry the
 * order id and the one-time code that authorises fulfilment, delivery and cancellation.
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

export interface ShopApiProps {
  /** Origins of shop pages on other sites that may place orders from a browser; none by default. */
  shopOrigins?: readonly string[];
}

/** The shop's HTTP API. Create it before the handlers so they can learn its URL, then add the routes. */
export class ShopApi extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;

  constructor(scope: Construct, id: string, props: ShopApiProps = {}) {
    super(scope, id);
    const origins = props.shopOrigins ?? [];

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Cake shop orders: ordering, fulfilment, delivery and cancellation links',
      // The default stage takes no throttle or access log settings, so the stage is declared below.
      createDefaultStage: false,
      // API Gateway then answers preflights itself and adds the headers to the handlers' responses, so no handler
      // knows about CORS ("Configure CORS for HTTP APIs in API Gateway").
      corsPreflight:
        origins.length === 0
          ? undefined
          : {
              allowOrigins: [...origins],
              allowMethods: shopCors.allowMethods.map((method) => apigwv2.CorsHttpMethod[method]),
              allowHeaders: [...shopCors.allowHeaders],
              maxAge: Duration.seconds(shopCors.maxAgeSeconds),
            },
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: apiThrottle,
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });
  }

  /** The base URL links in emails and pages are built from, without a trailing slash. */
  get url(): string {
    return this.httpApi.apiEndpoint;
  }

  addRoutes(routes: readonly Route[], functions: Record<HandlerName, lambda.IFunction>): void {
    const integrations = new Map<HandlerName, HttpLambdaIntegration>();
    for (const route of routes) {
      let integration = integrations.get(route.handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.handler}Integration`, functions[route.handler]);
        integrations.set(route.handler, integration);
      }
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
      });
      Validations.of(httpRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Customers, cake makers and couriers have no accounts: each action is authorised by the ' +
          'unguessable code in its link, which the handler checks.',
      });
    }
  }
}
