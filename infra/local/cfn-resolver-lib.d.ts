declare module 'cfn-resolver-lib' {
  /** Resolves the intrinsic functions of a CloudFormation template against the values given for Refs and GetAtts. */
  class NodeEvaluator {
    constructor(
      template: { Parameters?: Record<string, unknown>; Resources: Record<string, unknown> },
      parameters: { RefResolvers?: Record<string, string>; 'Fn::GetAttResolvers'?: Record<string, Record<string, string>> },
    );
    evaluateNodes(): unknown;
  }
  export = NodeEvaluator;
}
