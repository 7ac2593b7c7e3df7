"""Stand-ins of the outside SaaS APIs the services call, served over real HTTP on 127.0.0.1 so that the real
client SDKs talk to them. Dev-only: a workspace member of the dev dependency group, never a service's
dependency, so no service image installs it."""
