namespace Carton.IntegrationTests.Infrastructure;

public static class Poll
{
    /// <summary>Evaluates <paramref name="condition"/> every 50ms until true or timeout; returns the last result.</summary>
    public static bool Until(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (condition())
            {
                return true;
            }
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            Thread.Sleep(50);
        }
    }
}
