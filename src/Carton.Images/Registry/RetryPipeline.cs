using System.Net;
using System.Net.Http.Headers;
using Polly;
using Polly.Retry;

namespace Carton.Images.Registry;

/// <summary>
/// The retry policy of every registry request: Polly's retry strategy with exponential backoff and jitter, on 429,
/// 5xx and dropped or stalled connections. A 429's Retry-After is honoured up to <see cref="RegistryOptions.RetryMaxDelay"/>.
/// TLS failures, 4xx other than 429, and the caller's cancellation are not retried: another attempt cannot fix them.
/// </summary>
internal static class RetryPipeline
{
    public static ResiliencePipeline Create(RegistryOptions options)
    {
        if (options.MaxRetries <= 0) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is RetryableStatusException { RetryAfter: { } after }
                        ? (TimeSpan?)(after < options.RetryMaxDelay ? after : options.RetryMaxDelay)
                        : null),
            })
            .Build();
    }

    /// <summary>True for a failure another attempt may not meet.</summary>
    public static bool IsTransient(Exception e, CancellationToken caller) => e switch
    {
        RetryableStatusException => true,
        IdleTimeoutException => true,
        TruncatedBodyException => true,
        HttpRequestException h => h.HttpRequestError is not (HttpRequestError.SecureConnectionError
            or HttpRequestError.UserAuthenticationError or HttpRequestError.ConfigurationLimitExceeded
            or HttpRequestError.NameResolutionError),
        // A full disk is no connection trouble: another attempt would only download the same bytes again.
        IOException io when IoErrors.IsOutOfSpace(io) => false,
        IOException => true,
        // A timeout inside HttpClient (connect) surfaces as a cancellation the caller did not ask for.
        OperationCanceledException => !caller.IsCancellationRequested,
        _ => false,
    };

    /// <summary>The statuses worth another attempt (distribution-spec's 429 TOOMANYREQUESTS, and server errors).</summary>
    public static bool IsRetryableStatus(HttpStatusCode status) =>
        status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>The delay a Retry-After header asks for, if any.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header is null) return null;
        if (header.Delta is { } delta) return delta;
        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}

/// <summary>A 429 or 5xx answer: thrown inside the pipeline so Polly retries it, turned into a CartonException after.</summary>
internal sealed class RetryableStatusException(HttpStatusCode status, string? detail, TimeSpan? retryAfter)
    : Exception($"HTTP {(int)status} {status}{(detail is null ? "" : ": " + detail)}")
{
    public HttpStatusCode Status { get; } = status;
    public string? Detail { get; } = detail;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>No bytes (or no response) within <see cref="RegistryOptions.IdleTimeout"/>.</summary>
internal sealed class IdleTimeoutException(TimeSpan timeout)
    : Exception($"no data for {timeout.TotalSeconds:0.#} s");

/// <summary>A body that ended cleanly before its declared length: the server stopped short.</summary>
internal sealed class TruncatedBodyException(long got, long expected)
    : Exception($"the body ended after {got} of {expected} bytes")
{
    public long Got { get; } = got;
    public long Expected { get; } = expected;
}
