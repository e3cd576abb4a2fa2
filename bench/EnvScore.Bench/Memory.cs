using System.Diagnostics;

namespace EnvScore.Bench;

/// <summary>Process memory: peak resident set (VmHWM, resettable through /proc/self/clear_refs) and a GC heap sampler.</summary>
public sealed class MemoryProbe : IDisposable
{
    private readonly Timer _timer;
    private long _peakHeap;

    public MemoryProbe()
    {
        // Writing 5 resets the peak RSS (VmHWM) to the current RSS (Linux ≥ 4.0).
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _timer = new Timer(_ => Sample(), null, 0, 50);
    }

    private void Sample()
    {
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        long seen;
        while ((seen = Interlocked.Read(ref _peakHeap)) < heap && Interlocked.CompareExchange(ref _peakHeap, heap, seen) != seen) { }
    }

    public long PeakGcHeapBytes { get { Sample(); return Interlocked.Read(ref _peakHeap); } }

    public static long PeakRssBytes() => StatusKb("VmHWM:") * 1024;
    public static long RssBytes() => StatusKb("VmRSS:") * 1024;

    private static long StatusKb(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]);
        return Process.GetCurrentProcess().PeakWorkingSet64 / 1024;
    }

    public static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:F0} MB";

    public void Dispose() => _timer.Dispose();
}
