# syntax=docker/dockerfile:1
# OptionsTracker: multi-stage build. The SDK image restores and publishes; the ASP.NET runtime image runs it
# as the non-root "app" user that Microsoft's images provide.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so the layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/OptionsTracker/OptionsTracker.csproj src/OptionsTracker/
COPY src/OptionsTracker.Simulator/OptionsTracker.Simulator.csproj src/OptionsTracker.Simulator/
RUN dotnet restore src/OptionsTracker/OptionsTracker.csproj
COPY src/OptionsTracker/ src/OptionsTracker/
COPY src/OptionsTracker.Simulator/ src/OptionsTracker.Simulator/
RUN dotnet publish src/OptionsTracker/OptionsTracker.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The dashboard keeps the tracked coins in state/; give it to the app user and make it a volume.
RUN mkdir -p /app/state && chown "$APP_UID" /app/state
VOLUME /app/state
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
USER $APP_UID
# The runtime image has no curl: the app probes itself (exit 0 when /health/live answers 200).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["dotnet", "/app/OptionsTracker.dll", "--probe", "http://127.0.0.1:8080/health/live"]
ENTRYPOINT ["dotnet", "/app/OptionsTracker.dll"]
