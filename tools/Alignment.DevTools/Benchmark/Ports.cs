using System.Net;
using System.Net.Sockets;

namespace Alignment.DevTools.Benchmark;

/// <summary>Loopback ports for the processes and hosts the benchmark starts.</summary>
internal static class Ports
{
    /// <summary>A port free on the loopback interface now (the OS picks it).</summary>
    public static int Free()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
