// Lazy chunk holding every Azure SDK import (dist/azureSdk.js). See docs/ARCHITECTURE.md.
export const sdkChunk = true;
