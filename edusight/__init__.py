"""EduSight (成都教育态势感知): shared code for the dashboard and the ETL."""
