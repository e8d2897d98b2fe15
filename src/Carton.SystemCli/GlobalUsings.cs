// What every `carton system` command file uses: the parser, the client and the contract.
global using System.CommandLine;
global using System.Globalization;
global using System.Text.Json;
global using Carton.Cli;
global using Carton.Client;
global using Carton.Compute;
global using Carton.Network;
global using Carton.Oci;
