// What every `carton image` command file uses.
global using System.CommandLine;
global using System.Globalization;
global using System.Text.Json;
global using Carton.Cli;
global using Carton.Images;
global using Carton.Images.Content;
global using Carton.Images.Model;
