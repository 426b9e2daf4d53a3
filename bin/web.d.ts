// Types of bin/web.js, for the benchmark that uses it.
export declare const WEB: string;
export declare const WEB_DIST: string;
export declare function snapshotWebSources(): Record<string, [number, number]>;
/** undefined when web/dist/ was built from the console's sources as they are, else why not */
export declare function whyWebNotCurrent(): string | undefined;
export declare function viteBin(): string | undefined;
export declare function buildWeb(): boolean;
export declare function ensureWeb(): boolean;
