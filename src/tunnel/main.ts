// Placeholder entry for dist/tunnel.js (the ssh ProxyCommand program); see docs/ARCHITECTURE.md.
process.stderr.write("azure-jit-connect tunnel: not implemented yet\n");
process.exit(2);
