// The AWS SDK warns on Node 20 that its releases after January 2027 will need Node 22. The SDK here is pinned and
// the Lambda runtime is Node 22, so the warning tells a developer on Node 20 nothing they can act on. Imported
// first, before any SDK client is made.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export {};
