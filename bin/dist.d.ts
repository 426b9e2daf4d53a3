// Types of bin/dist.js, for the tests and the benchmark that use it.
export declare const ROOT: string;
export declare const DIST: string;
export declare const STAMP: string;
export declare function snapshotSources(): Record<string, [number, number]>;
export declare function stampText(files: Record<string, [number, number]>): string;
export declare function whyNotCurrent(dist?: string): string | undefined;
export declare function importEntry(module: string): Promise<unknown>;
