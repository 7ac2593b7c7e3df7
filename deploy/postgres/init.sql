-- Runs once, on the first start of the compose `postgres` container (docker-entrypoint-initdb.d),
-- as the superuser, connected to the database named by POSTGRES_DB (= aivi).
-- One schema per service, owned by a login role of the same name; a role cannot use another's schema.
-- Passwords come from <SVC>_DB_PASSWORD in the container environment (psql 15 \getenv), default <svc>-dev.
-- The gateway owns no domain data but gets a schema too (its outbox and processed_messages live there).
-- Mirrors CONVENTIONS.md, which the local devstack provisions the same way.
\set ON_ERROR_STOP on

REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE aivi FROM PUBLIC;

-- gateway
\getenv gateway_password GATEWAY_DB_PASSWORD
\if :{?gateway_password}
\else
\set gateway_password gateway-dev
\endif
CREATE ROLE gateway LOGIN PASSWORD :'gateway_password';
GRANT CONNECT, TEMPORARY ON DATABASE aivi TO gateway;
CREATE SCHEMA gateway AUTHORIZATION gateway;
ALTER ROLE gateway IN DATABASE aivi SET search_path = gateway;

-- users
\getenv users_password USERS_DB_PASSWORD
\if :{?users_password}
\else
\set users_password users-dev
\endif
CREATE ROLE users LOGIN PASSWORD :'users_password';
GRANT CONNECT, TEMPORARY ON DATABASE aivi TO users;
CREATE SCHEMA users AUTHORIZATION users;
ALTER ROLE users IN DATABASE aivi SET search_path = users;

-- interviews
\getenv interviews_password INTERVIEWS_DB_PASSWORD
\if :{?interviews_password}
\else
\set interviews_password interviews-dev
\endif
CREATE ROLE interviews LOGIN PASSWORD :'interviews_password';
GRANT CONNECT, TEMPORARY ON DATABASE aivi TO interviews;
CREATE SCHEMA interviews AUTHORIZATION interviews;
ALTER ROLE interviews IN DATABASE aivi SET search_path = interviews;

-- media
\getenv media_password MEDIA_DB_PASSWORD
\if :{?media_password}
\else
\set media_password media-dev
\endif
CREATE ROLE media LOGIN PASSWORD :'media_password';
GRANT CONNECT, TEMPORARY ON DATABASE aivi TO media;
CREATE SCHEMA media AUTHORIZATION media;
ALTER ROLE media IN DATABASE aivi SET search_path = media;

-- analysis
\getenv analysis_password ANALYSIS_DB_PASSWORD
\if :{?analysis_password}
\else
\set analysis_password analysis-dev
\endif
CREATE ROLE analysis LOGIN PASSWORD :'analysis_password';
GRANT CONNECT, TEMPORARY ON DATABASE aivi TO analysis;
CREATE SCHEMA analysis AUTHORIZATION analysis;
ALTER ROLE analysis IN DATABASE aivi SET search_path = analysis;

-- notifications
\getenv notifications_password NOTIFICATIONS_DB_PASSWORD
\if :{?notifications_password}
\else
\set notifications_password notifications-dev
\endif
CREATE ROLE notifications LOGIN PASSWORD :'notifications_password';
GRANT CONNECT, TEMPORARY ON DATABASE aivi TO notifications;
CREATE SCHEMA notifications AUTHORIZATION notifications;
ALTER ROLE notifications IN DATABASE aivi SET search_path = notifications;

-- billing
\getenv billing_password BILLING_DB_PASSWORD
\if :{?billing_password}
\else
\set billing_password billing-dev
\endif
CREATE ROLE billing LOGIN PASSWORD :'billing_password';
GRANT CONNECT, TEMPORARY ON DATABASE aivi TO billing;
CREATE SCHEMA billing AUTHORIZATION billing;
ALTER ROLE billing IN DATABASE aivi SET search_path = billing;

-- analytics (its facts live in ClickHouse; Postgres holds only its messaging tables)
\getenv analytics_password ANALYTICS_DB_PASSWORD
\if :{?analytics_password}
\else
\set analytics_password analytics-dev
\endif
CREATE ROLE analytics LOGIN PASSWORD :'analytics_password';
GRANT CONNECT, TEMPORARY ON DATABASE aivi TO analytics;
CREATE SCHEMA analytics AUTHORIZATION analytics;
ALTER ROLE analytics IN DATABASE aivi SET search_path = analytics;
