using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KerasNet.Serving;

/// <summary>
/// The <c>kerasnet serve</c> web application: Kestrel with TensorFlow Serving's REST API (<c>/v1/models/...</c>),
/// KerasNet's <c>:classify-image</c>, <c>/healthz</c> and the web page at <c>/</c>. Build it, then <c>RunAsync</c>
/// (or <c>StartAsync</c> and <see cref="Address"/> in tests, with <see cref="ServeOptions.Port"/> 0).
/// </summary>
public static class ServeApp
{
    /// <summary>
    /// Loads every model of <paramref name="options"/> (errors name the file) and builds the app. Each request is
    /// logged as one JSON line on <paramref name="log"/> (null: not logged). Stopping the app (SIGTERM, Ctrl-C,
    /// <c>StopAsync</c>) finishes the requests in flight, their batches included, before it returns.
    /// </summary>
    public static WebApplication Build(ServeOptions options, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var registry = new ModelRegistry();
        try
        {
            foreach (var (name, path) in options.Models) registry.Load(name, path, options);
        }
        catch
        {
            registry.Dispose();
            throw;
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // The request log is KerasNet's own JSON lines; ASP.NET's console logger would interleave its text with them.
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            // Slow clients cannot hold a connection open forever sending headers.
            k.Limits.RequestHeadersTimeout = Min(options.RequestTimeout, TimeSpan.FromSeconds(30));
            if (IPAddress.TryParse(options.Host, out var ip)) k.Listen(ip, options.Port);
            else if (options.Host == "localhost" && options.Port != 0) k.ListenLocalhost(options.Port);
            else throw new KerasNetException($"ServeOptions.Host: '{options.Host}' must be an IP address (127.0.0.1, 0.0.0.0, ::) or localhost with a fixed port.");
        });
        // Requests in flight get this long to finish after SIGTERM (their own timeout bounds them anyway).
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.RequestTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(registry);
        var requestLog = new RequestLog(log);
        builder.Services.AddSingleton(requestLog);

        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(registry.Dispose);
        app.Use(requestLog.Middleware(options));
        app.MapGet("/healthz", () => Microsoft.AspNetCore.Http.Results.Text("ok\n", "text/plain"));
        ApiEndpoints.Map(app, registry, options);
        PageEndpoints.MapPage(app, registry);
        return app;
    }

    /// <summary>The address a started app listens on (<c>http://127.0.0.1:PORT/</c>, the chosen port when it was 0).</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new KerasNetException("The app is not listening yet: call StartAsync first.");
        return new Uri(first.EndsWith('/') ? first : first + "/");
    }

    /// <summary>The models an app built by <see cref="Build"/> serves.</summary>
    public static ModelRegistry Models(WebApplication app) => app.Services.GetRequiredService<ModelRegistry>();

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
