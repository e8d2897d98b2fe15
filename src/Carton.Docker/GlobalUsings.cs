// ASP.NET Core's namespaces (the Web SDK would import them; this is a class library with the shared framework).
global using Microsoft.AspNetCore.Builder;
global using Microsoft.AspNetCore.Http;
global using Carton.Docker.Events;
