using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Alignment.IntegrationTests.Deployment;

/// <summary>
/// <c>helm lint</c> and <c>helm template</c> of <c>charts/alignment</c> with the default values and the
/// multi-worker production example; the rendered manifests are parsed and checked: probes, secrets by
/// reference only, the migration hook before the Deployments, consistent labels and selectors, and a
/// non-root read-only-root security context. Needs helm on PATH (<c>./dev.sh test</c> installs it).
/// </summary>
public sealed class HelmChartTests
{
    private const string Release = "drill";
    private static readonly string Chart = Path.Combine(RepositoryRoot(), "charts", "alignment");
    private static readonly string Production = Path.Combine(Chart, "examples", "production.yaml");

    public static TheoryData<string> ValueSets => new() { "default", "production" };

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task Helm_lint_passes(string values)
    {
        var (code, output) = await Helm(["lint", Chart, "--strict", .. ValuesArgs(values)]);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task The_schema_rejects_a_token_value_in_the_values()
    {
        var file = Path.Combine(Path.GetTempPath(), $"alignment-values-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, """
            alignment:
              Sources:
                - Id: jira
                  Kind: Jira
                  BaseUrl: https://example.atlassian.net
                  Auth: { Scheme: Basic, User: bot@example.com, Token: plain-token-value }
            """);
        try
        {
            var (code, output) = await Helm(["template", Release, Chart, "-f", file]);
            Assert.True(code != 0, "a token in the values must not render: " + output);
            Assert.Contains("alignment.Sources.0.Auth", output);
            Assert.DoesNotContain("plain-token-value", output);
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task Both_deployments_have_liveness_and_readiness_probes_resources_and_a_config_mount(string values)
    {
        var docs = await Render(values);
        var deployments = Kind(docs, "Deployment").ToList();
        Assert.Equal(["api", "worker"], deployments.Select(d => Str(d, "metadata", "labels", "app.kubernetes.io/component")).Order());
        foreach (var d in deployments)
        {
            var container = Containers(d).Single();
            var name = Str(d, "metadata", "name");
            Assert.True(Str(container, "livenessProbe", "httpGet", "path") == "/health/live", $"{name}: liveness probe on /health/live");
            Assert.True(Str(container, "readinessProbe", "httpGet", "path") == "/health/ready", $"{name}: readiness probe on /health/ready");
            Assert.True(Node(container, "resources", "requests") is YamlMappingNode, $"{name}: resource requests");
            Assert.True(Node(container, "resources", "limits") is YamlMappingNode, $"{name}: resource limits");
            var args = Seq(container, "args").Select(a => ((YamlScalarNode)a).Value).ToList();
            Assert.Equal(Str(d, "metadata", "labels", "app.kubernetes.io/component") == "api" ? "serve" : "worker", args[0]);
            Assert.Contains("--config", args);
        }
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task Secrets_are_only_referenced_never_rendered(string values)
    {
        var docs = await Render(values);

        Assert.DoesNotContain(docs, d => Str(d, "kind") == "Secret");
        foreach (var cm in Kind(docs, "ConfigMap"))
        {
            var text = string.Join("\n", ((YamlMappingNode)Node(cm, "data")!).Children.Select(c => c.Value.ToString()));
            Assert.DoesNotMatch(@"(?i)""(Token|Password|Pat|Secret|Sha256)""\s*:", text);
            Assert.DoesNotMatch(@"(?i)password=", text);
        }
        foreach (var workload in Kind(docs, "Deployment").Concat(Kind(docs, "Job")))
            foreach (var container in Containers(workload))
                foreach (var env in Seq(container, "env").Cast<YamlMappingNode>())
                {
                    var name = Str(env, "name")!;
                    var secretLike = name.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || name.EndsWith("Sha256", StringComparison.Ordinal)
                        || name.Contains("TOKEN", StringComparison.OrdinalIgnoreCase) || name.Contains("PAT", StringComparison.Ordinal)
                        || name.Contains("Password", StringComparison.OrdinalIgnoreCase) || name.Contains("Smtp", StringComparison.OrdinalIgnoreCase);
                    if (!secretLike) continue;
                    Assert.True(Node(env, "value") is null, $"{Str(workload, "metadata", "name")}: {name} has a literal value");
                    Assert.True(Str(env, "valueFrom", "secretKeyRef", "name") is { Length: > 0 }, $"{name} comes from a secretKeyRef");
                }
    }

    [Fact]
    public async Task The_production_example_takes_every_token_and_api_key_hash_from_secrets()
    {
        var docs = await Render("production");
        var worker = Kind(docs, "Deployment").Single(d => Str(d, "metadata", "labels", "app.kubernetes.io/component") == "worker");
        var env = Seq(Containers(worker).Single(), "env").Cast<YamlMappingNode>().ToDictionary(e => Str(e, "name")!);

        Assert.Equal("alignment-tracker-tokens", Str(env["JIRA_TOKEN"], "valueFrom", "secretKeyRef", "name"));
        Assert.Equal("ado-pat", Str(env["ADO_PAT"], "valueFrom", "secretKeyRef", "key"));
        Assert.Equal("alignment-database", Str(env["ConnectionStrings__Alignment"], "valueFrom", "secretKeyRef", "name"));
        Assert.Equal("pmo-office", Str(env["Alignment__Auth__ApiKeys__0__Sha256"], "valueFrom", "secretKeyRef", "key"));
        var hpa = Kind(docs, "HorizontalPodAutoscaler").Single();
        Assert.Equal(Str(worker, "metadata", "name"), Str(hpa, "spec", "scaleTargetRef", "name"));
        Assert.True(int.Parse(Str(hpa, "spec", "minReplicas")!) >= 2, "the production example runs several workers");
    }

    [Fact]
    public async Task The_rendered_production_configuration_passes_the_hosts_validation_once_the_secrets_are_there()
    {
        var docs = await Render("production");
        var json = Str(Kind(docs, "ConfigMap").Single(), "data", "alignment.json")!;
        var worker = Kind(docs, "Deployment").Single(d => Str(d, "metadata", "labels", "app.kubernetes.io/component") == "worker");
        var overrides = new Dictionary<string, string?>();
        foreach (var env in Seq(Containers(worker).Single(), "env").Cast<YamlMappingNode>().Where(e => Node(e, "valueFrom", "secretKeyRef") is not null))
        {
            var name = Str(env, "name")!;
            if (name.StartsWith("Alignment__", StringComparison.Ordinal)) overrides[name.Replace("__", ":", StringComparison.Ordinal)] = new string('a', 64);
            else if (Environment.GetEnvironmentVariable(name) is null) Environment.SetEnvironmentVariable(name, "from-a-secret");
        }
        var config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).AddInMemoryCollection(overrides).Build();
        var options = config.GetSection(AlignmentOptions.Section).Get<AlignmentOptions>()!;

        var result = new AlignmentOptionsValidator(config).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(2, options.Sources.Count);
        Assert.Equal(3, options.Auth.ApiKeys.Count);
        Assert.Equal("SMTP_PASSWORD", options.Advice.Smtp.PasswordEnv);
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task The_migration_job_is_a_pre_install_and_pre_upgrade_hook_that_runs_first(string values)
    {
        var docs = await Render(values);
        var job = Kind(docs, "Job").Single();

        Assert.Equal("migrate", ((YamlScalarNode)Seq(Containers(job).Single(), "args")[0]).Value);
        var hooks = Str(job, "metadata", "annotations", "helm.sh/hook")!.Split(',').Select(h => h.Trim()).ToList();
        Assert.Contains("pre-install", hooks);
        Assert.Contains("pre-upgrade", hooks);
        var weight = int.Parse(Str(job, "metadata", "annotations", "helm.sh/hook-weight")!);
        Assert.True(weight < 0, "the migration hook runs before the default weight 0");
        foreach (var other in docs.Where(d => d != job && Str(d, "metadata", "annotations", "helm.sh/hook") is not null))
            Assert.True(int.Parse(Str(other, "metadata", "annotations", "helm.sh/hook-weight") ?? "0") > weight,
                $"{Str(other, "metadata", "name")} is a hook that would run before the migration");
        // The hook runs before the release's ConfigMap exists: it may only use pre-existing Secrets.
        Assert.DoesNotContain(Seq(job, "spec", "template", "spec", "volumes").Cast<YamlMappingNode>(), v => Node(v, "configMap") is not null);
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task Every_object_carries_name_and_instance_labels_and_selectors_match_their_pods(string values)
    {
        var docs = await Render(values);
        Assert.NotEmpty(docs);
        foreach (var d in docs)
        {
            var what = $"{Str(d, "kind")}/{Str(d, "metadata", "name")}";
            Assert.True(Str(d, "metadata", "labels", "app.kubernetes.io/name") == "alignment", $"{what}: app.kubernetes.io/name");
            Assert.True(Str(d, "metadata", "labels", "app.kubernetes.io/instance") == Release, $"{what}: app.kubernetes.io/instance");
        }
        var pods = Kind(docs, "Deployment").ToDictionary(d => Str(d, "metadata", "name")!, d => Labels(Node(d, "spec", "template", "metadata", "labels")));
        foreach (var d in Kind(docs, "Deployment"))
            AssertSelects(Labels(Node(d, "spec", "selector", "matchLabels")), pods[Str(d, "metadata", "name")!], Str(d, "metadata", "name")!);
        foreach (var pdb in Kind(docs, "PodDisruptionBudget"))
            Assert.Single(pods.Values, p => Selects(Labels(Node(pdb, "spec", "selector", "matchLabels")), p));
        var service = Kind(docs, "Service").Single();
        var selected = pods.Where(p => Selects(Labels(Node(service, "spec", "selector")), p.Value)).Select(p => p.Key).ToList();
        Assert.Equal([$"{Release}-alignment-api"], selected);
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task Pods_run_as_non_root_with_a_read_only_root_and_a_writable_tmp(string values)
    {
        var docs = await Render(values);
        foreach (var w in Kind(docs, "Deployment").Concat(Kind(docs, "Job")))
        {
            var name = Str(w, "metadata", "name");
            Assert.True(Str(w, "spec", "template", "spec", "securityContext", "runAsNonRoot") == "true", $"{name}: pod runAsNonRoot");
            var tmp = Seq(w, "spec", "template", "spec", "volumes").Cast<YamlMappingNode>().Single(v => Str(v, "name") == "tmp");
            Assert.NotNull(Node(tmp, "emptyDir"));
            foreach (var c in Containers(w))
            {
                Assert.True(Str(c, "securityContext", "runAsNonRoot") == "true", $"{name}: container runAsNonRoot");
                Assert.True(Str(c, "securityContext", "readOnlyRootFilesystem") == "true", $"{name}: readOnlyRootFilesystem");
                Assert.True(Str(c, "securityContext", "allowPrivilegeEscalation") == "false", $"{name}: no privilege escalation");
                Assert.Contains(Seq(c, "volumeMounts").Cast<YamlMappingNode>(), m => Str(m, "mountPath") == "/tmp");
            }
        }
    }

    [Fact]
    public async Task The_ingress_is_optional_and_routes_to_the_api_service()
    {
        Assert.Empty(Kind(await Render("default"), "Ingress"));
        var docs = await Render("production");
        var ingress = Kind(docs, "Ingress").Single();
        var backend = Node(((YamlSequenceNode)Node(((YamlSequenceNode)Node(ingress, "spec", "rules")!)[0], "http", "paths")!)[0], "backend", "service");
        Assert.Equal(Str(Kind(docs, "Service").Single(), "metadata", "name"), Str(backend!, "name"));
    }

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task The_ingress_routes_the_dashboard_api_and_job_dashboard_but_never_the_metrics_endpoint(string values)
    {
        var docs = await Render(values, "--set", "ingress.enabled=true");
        var rules = Seq(Kind(docs, "Ingress").Single(), "spec", "rules").Cast<YamlMappingNode>().ToList();
        Assert.NotEmpty(rules);
        var wwwroot = Path.Combine(RepositoryRoot(), "src", "Alignment.Host", "wwwroot");
        var application = Directory.EnumerateFiles(wwwroot, "*", SearchOption.AllDirectories)
            .Select(f => "/" + Path.GetRelativePath(wwwroot, f).Replace('\\', '/'))
            .Concat(["/", "/api/teams", "/api/findings/1/acknowledge", "/antiforgery/token", "/hangfire", "/hangfire/recurring", "/scalar",
                     "/scalar/", "/openapi/v1.json"])
            .ToList();
        foreach (var rule in rules)
        {
            var paths = Seq(rule, "http", "paths").Cast<YamlMappingNode>().Select(p => (Path: Str(p, "path")!, Type: Str(p, "pathType")!)).ToList();
            foreach (var path in application)
                Assert.True(Routes(paths, path), $"{values}: the Ingress does not route {path}");
            foreach (var path in new[] { "/metrics", "/metrics/", "/health/live", "/health/ready" })
                Assert.False(Routes(paths, path), $"{values}: the Ingress routes {path}");
        }
    }

    [Fact]
    public async Task A_catch_all_ingress_path_that_would_publish_the_metrics_endpoint_is_refused()
    {
        foreach (var (path, type) in new[] { ("/", "Prefix"), ("/", "ImplementationSpecific"), ("/metrics", "Exact") })
        {
            var (code, output) = await Helm(["template", Release, Chart, "--set", "ingress.enabled=true", "--set", "ingress.hosts[0].host=a.example.com",
                "--set", $"ingress.hosts[0].paths[0].path={path}", "--set", $"ingress.hosts[0].paths[0].pathType={type}"]);
            Assert.True(code != 0, $"{path} ({type}) rendered: {output}");
            Assert.Contains("would publish the anonymous metrics endpoint /metrics", output);
        }
    }

    [Fact]
    public async Task Network_policies_are_optional_and_admit_only_the_ingress_controller_and_the_metrics_scraper()
    {
        Assert.Empty(Kind(await Render("default"), "NetworkPolicy"));
        var docs = await Render("production");
        var policies = Kind(docs, "NetworkPolicy").ToDictionary(p => Str(p, "metadata", "labels", "app.kubernetes.io/component")!);
        Assert.Equal(["api", "worker"], policies.Keys.Order());
        var pods = Kind(docs, "Deployment").ToDictionary(d => Str(d, "metadata", "labels", "app.kubernetes.io/component")!,
            d => Labels(Node(d, "spec", "template", "metadata", "labels")));
        foreach (var (component, policy) in policies)
        {
            var selector = Labels(Node(policy, "spec", "podSelector", "matchLabels"));
            Assert.True(Selects(selector, pods[component]), $"the {component} policy selects the {component} pods");
            Assert.False(Selects(selector, pods[component == "api" ? "worker" : "api"]), $"the {component} policy selects only its pods");
            Assert.Equal(["Ingress"], Seq(policy, "spec", "policyTypes").Select(t => ((YamlScalarNode)t).Value));
        }

        var api = Seq(policies["api"], "spec", "ingress").Cast<YamlMappingNode>().ToList();
        var fromController = (YamlMappingNode)Seq(api[0], "from")[0];
        Assert.Equal("ingress-nginx", Str(fromController, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
        Assert.Equal("ingress-nginx", Str(fromController, "podSelector", "matchLabels", "app.kubernetes.io/name"));
        foreach (var rule in api.Concat(Seq(policies["worker"], "spec", "ingress").Cast<YamlMappingNode>()))
            Assert.Equal(["http"], Seq(rule, "ports").Cast<YamlMappingNode>().Select(p => Str(p, "port")));
        var worker = Assert.Single(Seq(policies["worker"], "spec", "ingress").Cast<YamlMappingNode>());
        foreach (var scraperRule in new[] { api[1], worker })
        {
            var scraper = (YamlMappingNode)Assert.Single(Seq(scraperRule, "from"));
            Assert.Equal("monitoring", Str(scraper, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
            Assert.Equal("prometheus", Str(scraper, "podSelector", "matchLabels", "app.kubernetes.io/name"));
        }
        var containerPorts = Kind(docs, "Deployment").SelectMany(Containers).SelectMany(c => Seq(c, "ports").Cast<YamlMappingNode>()).Select(p => Str(p, "name"));
        Assert.All(containerPorts, name => Assert.Equal("http", name));
    }

    [Fact]
    public async Task Oidc_settings_in_the_values_reach_the_configuration_and_pass_the_hosts_validation()
    {
        var docs = await Render("production");
        var json = Str(Kind(docs, "ConfigMap").Single(), "data", "alignment.json")!;
        var config = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        var options = config.GetSection(AlignmentOptions.Section).Get<AlignmentOptions>()!;

        Assert.Equal("https://login.example.com/realms/pmo", options.Auth.Oidc.Authority);
        Assert.Equal(("alignment-api", "groups", "email"), (options.Auth.Oidc.Audience, options.Auth.Oidc.RoleClaim, options.Auth.Oidc.EmailClaim));
        Assert.Contains(options.Auth.Oidc.RoleMap, m => m.Claim == "alignment-pmo" && m.Role == "pmo");
        Assert.Equal(3, options.Auth.ApiKeys.Count);   // the API keys from `apiKeys` next to them
        var result = new Alignment.Host.Hosting.OidcOptionsValidator().Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public async Task The_schema_takes_only_oidc_under_auth_and_no_unknown_oidc_setting()
    {
        foreach (var (yaml, expected) in new[]
                 {
                     ("alignment:\n  Auth:\n    ApiKeys: [ { Name: x, Role: pmo, Sha256: abc } ]\n", "alignment.Auth"),
                     ("alignment:\n  Auth:\n    Oidc: { Authority: https://idp.example.com, ClientSecret: s3cr3t-value }\n", "alignment.Auth.Oidc"),
                     ("alignment:\n  Auth:\n    Oidc: { Authority: http://idp.example.com }\n", "alignment.Auth.Oidc.Authority"),
                 })
        {
            var file = Path.Combine(Path.GetTempPath(), $"alignment-values-{Guid.NewGuid():N}.yaml");
            await File.WriteAllTextAsync(file, yaml);
            try
            {
                var (code, output) = await Helm(["template", Release, Chart, "-f", file]);
                Assert.True(code != 0, $"rendered: {yaml}");
                Assert.Contains(expected, output);
                Assert.DoesNotContain("s3cr3t-value", output);
            }
            finally { File.Delete(file); }
        }
    }

    /// <summary>Kubernetes Ingress path matching: Exact is the whole path; Prefix (and, conservatively, ImplementationSpecific) by path elements.</summary>
    private static bool Routes(IEnumerable<(string Path, string Type)> paths, string request) => paths.Any(p =>
    {
        if (p.Type == "Exact") return request == p.Path;
        var prefix = p.Path.TrimEnd('/');
        return prefix.Length == 0 || request == prefix || request.StartsWith(prefix + "/", StringComparison.Ordinal);
    });

    // ---- helm and YAML -------------------------------------------------------------------------

    private static string[] ValuesArgs(string values) => values == "production" ? ["-f", Production] : [];

    private static async Task<List<YamlMappingNode>> Render(string values, params string[] extra)
    {
        var (code, output) = await Helm(["template", Release, Chart, "--namespace", "alignment", .. ValuesArgs(values), .. extra]);
        Assert.True(code == 0, output);
        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static async Task<(int Code, string Output)> Helm(string[] args)
    {
        var psi = new ProcessStartInfo("helm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("helm is not on PATH: run the tests through ./dev.sh test, which installs helm into .dev/bin (or put .dev/bin on PATH)");
            throw;
        }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            var err = await stderr;
            return (p.ExitCode, p.ExitCode == 0 ? await stdout : await stdout + err);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Alignment.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (Alignment.sln) is not above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<YamlMappingNode> Kind(IEnumerable<YamlMappingNode> docs, string kind) => docs.Where(d => Str(d, "kind") == kind);

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode workload) =>
        Seq(workload, "spec", "template", "spec", "containers").Cast<YamlMappingNode>();

    private static YamlNode? Node(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next)) return null;
            node = next;
        }
        return node;
    }

    private static string? Str(YamlNode node, params string[] path) => (Node(node, path) as YamlScalarNode)?.Value;

    private static YamlSequenceNode Seq(YamlNode node, params string[] path) => Node(node, path) as YamlSequenceNode ?? new YamlSequenceNode();

    private static Dictionary<string, string> Labels(YamlNode? node) =>
        node is YamlMappingNode m ? m.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value ?? "") : [];

    private static bool Selects(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    private static void AssertSelects(Dictionary<string, string> selector, Dictionary<string, string> labels, string what) =>
        Assert.True(Selects(selector, labels), $"{what}: selector {string.Join(",", selector)} does not match its pod labels");
}
