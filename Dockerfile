# syntax=docker/dockerfile:1
# The `alignment` executable: one image for `serve`, `worker` and `migrate` (the chart picks the verb).
#   docker build -t alignment .
#   docker run --rm -e ConnectionStrings__Alignment=... alignment migrate

# ---- build: restore (cached on the project files), then publish framework-dependent --------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
COPY global.json Directory.Build.props Directory.Packages.props ./
# Only src/: the simulator and the benchmark (tools/) are not part of the service.
COPY src/Alignment.Domain/Alignment.Domain.csproj src/Alignment.Domain/
COPY src/Alignment.Trackers/Alignment.Trackers.csproj src/Alignment.Trackers/
COPY src/Alignment.Jira/Alignment.Jira.csproj src/Alignment.Jira/
COPY src/Alignment.AzureDevOps/Alignment.AzureDevOps.csproj src/Alignment.AzureDevOps/
COPY src/Alignment.Store/Alignment.Store.csproj src/Alignment.Store/
COPY src/Alignment.Advice/Alignment.Advice.csproj src/Alignment.Advice/
COPY src/Alignment.Application/Alignment.Application.csproj src/Alignment.Application/
COPY src/Alignment.Host/Alignment.Host.csproj src/Alignment.Host/
RUN dotnet restore src/Alignment.Host/Alignment.Host.csproj
COPY src/ src/
RUN dotnet publish src/Alignment.Host/Alignment.Host.csproj -c Release -o /app --no-restore -p:UseAppHost=false

# ---- runtime: ASP.NET Core on Ubuntu, ICU for culture-aware text (Dutch names and titles) -------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# The Ubuntu-based image ships ICU and tzdata; make sure of both (a no-op when present) and keep
# globalization on: invariant mode would compare and case-fold Dutch text wrongly. The monthly report's
# charts are drawn on the server (ScottPlot, SkiaSharp's self-contained native library): it reads its
# fonts from /usr/share/fonts, so DejaVu Sans is installed for their titles, ticks and legends.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tzdata fonts-dejavu-core "$(apt-cache search --names-only '^libicu[0-9]+$' | cut -d' ' -f1 | sort -V | tail -1)" \
 && rm -rf /var/lib/apt/lists/*
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    ASPNETCORE_URLS=http://+:8080 \
    TZ=Etc/UTC
WORKDIR /app
COPY --from=build --chown=root:root /app ./
# The image's unprivileged `app` user (uid 1654); the chart runs it with a read-only root file
# system and an emptyDir on /tmp.
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/alignment.dll"]
CMD ["serve"]
