-- 三员分立: the one `admin` role becomes three separated administrators. Existing administrators keep what
-- they did day to day (users and kiosk devices) as the system administrator; the security and audit
-- administrators are new accounts.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
UPDATE users SET role = 'sys_admin' WHERE role = 'admin';
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('county_officer', 'county_supervisor', 'township_handler', 'township_staff', 'sys_admin', 'sec_admin', 'audit_admin'));
